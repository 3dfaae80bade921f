package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HypercallResult;

/** One hypercall's behaviour, given input that the dispatcher has already validated and copied. */
@FunctionalInterface
public interface HypercallHandler {
    HypercallResult handle(HypercallContext ctx);
}
