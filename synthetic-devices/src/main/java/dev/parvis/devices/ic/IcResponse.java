package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcMessageHeader;
import java.lang.foreign.MemorySegment;

/** A guest's answer to one host request: its header and a copy of its body ({@code messageSize} bytes). */
public record IcResponse(IcMessageHeader header, byte[] body) {

    public IcResult result() {
        return new IcResult(header.status());
    }

    public MemorySegment bodySegment() {
        return MemorySegment.ofArray(body);
    }
}
