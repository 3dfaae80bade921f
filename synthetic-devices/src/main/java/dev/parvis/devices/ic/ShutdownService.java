package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.IcMessageType;
import dev.parvis.abi.ic.ShutdownMessage;
import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.Guid;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/** Shutdown IC (reference section 9.5): asks the guest to power off; S_OK means it will. */
public final class ShutdownService extends IcService {
    /** OpenVMM's shutdown IC instance id. */
    public static final Guid INSTANCE = Guid.parse("b6650ff7-33bc-4840-8048-e0676786f393");

    public ShutdownService() {
        super("shutdown", DeviceClass.SHUTDOWN, INSTANCE, IcMessageType.SHUTDOWN, IcVersions.of(IcVersions.SHUTDOWN));
    }

    @Override
    protected void onNegotiated(IcChannel channel, IcVersions.Negotiated versions) {
    }

    /**
     * Sends a power-off request. Completes with the guest's answer ({@link IcResult#succeeded()}:
     * the guest will power off), or exceptionally with an {@link IcException} when there is no
     * connection or no answer in time.
     */
    public CompletableFuture<IcResult> requestShutdown(boolean force, String message) {
        CompletableFuture<IcResult> result = new CompletableFuture<>();
        ShutdownMessage request = new ShutdownMessage(ShutdownMessage.REASON_PLANNED, 0,
                force ? IcConstants.SHUTDOWN_FLAG_FORCE : 0, message);
        try {
            executor.execute(() -> {
                try {
                    IcResponse r = requireChannel().transact(ShutdownMessage.SIZE, request::write, DEFAULT_TIMEOUT);
                    result.complete(r.result());
                } catch (IcException | RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IcException("shutdown service is closed"));
        }
        return result;
    }
}
