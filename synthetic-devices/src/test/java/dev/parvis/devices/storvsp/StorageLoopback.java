package dev.parvis.devices.storvsp;

import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.devices.storvsp.client.StorVsc;
import dev.parvis.devices.storvsp.protocol.ProtocolVersion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.client.StorVscCompletion;
import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.GuestPages;
import dev.parvis.vmbus.client.VmbusClient;
import dev.parvis.vmbus.loopback.Loopback;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import dev.parvis.vmbus.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A storvsp controller over the VMBus loopback, with VHDX disks in a temporary directory and a Java storvsc. */
final class StorageLoopback implements AutoCloseable {
    final LoopbackGuestMemory memory;
    final Loopback loopback;
    final StorVsp controller;
    final List<VhdxDisk> disks = new ArrayList<>();
    ClientChannel channel;
    StorVsc storvsc;

    StorageLoopback(StorVsp controller) throws Exception {
        this.controller = controller;
        this.memory = new LoopbackGuestMemory(7);
        this.loopback = new Loopback(memory, ServerConfig.defaults(2).withSendTimeout(Duration.ofSeconds(5)),
                List.of(controller), Duration.ofSeconds(10));
    }

    /** Creates a dynamic VHDX of {@code bytes} under {@code dir} and attaches it as {@code lun}. */
    VhdxDisk attach(Path dir, int lun, long bytes, boolean readOnly) throws Exception {
        Path file = dir.resolve("lun" + lun + ".vhdx");
        VhdxCreator.create(file, CreateRequest.dynamic(bytes).withBlockSize(1 << 20));
        VhdxDisk disk = VhdxDisk.open(file, OpenOptions.readWrite());
        disks.add(disk);
        controller.attach(lun, new VhdxBackingDisk(disk, readOnly));
        return disk;
    }

    /** Connects VMBus, opens the SCSI offer and returns the raw channel (no storvsc handshake yet). */
    ClientChannel open() throws Exception {
        return open(false);
    }

    private ClientChannel open(boolean polled) throws Exception {
        VmbusClient client = loopback.client();
        client.connect();
        OfferChannel offer = client.requestOffers().stream()
                .filter(o -> o.interfaceType().equals(DeviceClass.SCSI)).findFirst().orElseThrow();
        channel = client.open(offer, 16, 16);
        storvsc = polled ? StorVsc.polled(channel) : new StorVsc(channel);
        return channel;
    }

    /** Opens and runs the handshake at the newest version Linux offers. */
    StorVsc ready() throws Exception {
        open();
        storvsc.initialize(List.of(ProtocolVersion.WIN10, ProtocolVersion.WIN8_1, ProtocolVersion.WIN8));
        return storvsc;
    }

    /** Like {@link #ready} with a client that reads completions on the caller's thread ({@link StorVsc#reap}). */
    StorVsc readyPolled() throws Exception {
        open(true);
        storvsc.initialize(List.of(ProtocolVersion.WIN10));
        return storvsc;
    }

    StorVscCompletion run(int lun, byte[] cdb, int dataIn, GuestPages buffer, int offset, int length) throws Exception {
        ScsiRequest srb = storvsc.srb(lun, cdb, dataIn, length);
        long[] pfns = buffer == null ? new long[0]
                : java.util.Arrays.copyOf(buffer.gpns(), (int) ((offset + (long) length + 4095) / 4096));
        return storvsc.execute(srb, pfns, offset, length).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (storvsc != null) {
            storvsc.close();
        }
        loopback.close();
        controller.detachAll();
        for (VhdxDisk d : disks) {
            d.close();
        }
        memory.close();
    }
}
