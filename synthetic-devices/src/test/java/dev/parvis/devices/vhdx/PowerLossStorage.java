package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.storage.HeapStorage;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A heap file that forgets what was not flushed: writes since the last {@link #force()} are pending;
 * {@link #afterPowerLoss} builds the image a power cut could leave, where every 512-byte sector
 * independently holds its durable content or the content after any one of its pending writes (torn
 * pages and reordering included), and the length is the durable one or the latest. After
 * {@code operationsBeforeCut} writes or flushes the storage fails every further request, as the
 * process would have stopped there.
 */
final class PowerLossStorage implements VhdxStorage {
    static final class PowerCut extends IOException {
        PowerCut() {
            super("power cut");
        }
    }

    private static final int SECTOR = 512;

    private final HeapStorage live;
    private byte[] durable;
    private long durableLength;
    private final List<long[]> pendingRanges = new ArrayList<>();
    private final List<byte[]> pendingData = new ArrayList<>();
    private long operationsLeft;

    PowerLossStorage(byte[] initial, long operationsBeforeCut) {
        this.live = new HeapStorage("power-loss", initial, true);
        this.durable = initial.clone();
        this.durableLength = initial.length;
        this.operationsLeft = operationsBeforeCut;
    }

    boolean cut() {
        return operationsLeft < 0;
    }

    private synchronized void operation() throws PowerCut {
        if (--operationsLeft < 0) {
            throw new PowerCut();
        }
    }

    @Override
    public String name() {
        return "power-loss";
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public long size() throws IOException {
        return live.size();
    }

    @Override
    public void read(long position, ByteBuffer dst) throws IOException {
        if (cut()) {
            throw new PowerCut();
        }
        live.read(position, dst);
    }

    @Override
    public synchronized void write(long position, ByteBuffer src) throws IOException {
        operation();
        byte[] data = new byte[src.remaining()];
        src.get(data);
        live.write(position, ByteBuffer.wrap(data));
        pendingRanges.add(new long[]{position});
        pendingData.add(data);
    }

    @Override
    public synchronized void force() throws IOException {
        operation();
        for (int i = 0; i < pendingData.size(); i++) {
            int position = (int) pendingRanges.get(i)[0];
            byte[] data = pendingData.get(i);
            if (position + data.length > durable.length) {
                durable = Arrays.copyOf(durable, Math.max(position + data.length, durable.length * 5 / 4));
            }
            System.arraycopy(data, 0, durable, position, data.length);
        }
        durableLength = live.size();
        pendingRanges.clear();
        pendingData.clear();
    }

    /** The file a power cut now could leave behind. */
    synchronized byte[] afterPowerLoss(Random random) {
        byte[] latest = live.toByteArray();
        byte[] image = Arrays.copyOf(durable, (int) (random.nextBoolean() ? latest.length : durableLength));
        Map<Long, List<byte[]>> versions = new HashMap<>();
        byte[] scratch = Arrays.copyOf(durable, latest.length);
        Arrays.fill(scratch, (int) Math.min(durableLength, scratch.length), scratch.length, (byte) 0);
        for (int i = 0; i < pendingData.size(); i++) {
            long position = pendingRanges.get(i)[0];
            byte[] data = pendingData.get(i);
            System.arraycopy(data, 0, scratch, (int) position, data.length);
            for (long s = position / SECTOR; s * SECTOR < position + data.length; s++) {
                int from = (int) (s * SECTOR);
                versions.computeIfAbsent(s, k -> new ArrayList<>())
                        .add(Arrays.copyOfRange(scratch, from, Math.min(from + SECTOR, scratch.length)));
            }
        }
        Map<Long, byte[]> chosen = new HashMap<>();
        int end = image.length;
        for (Map.Entry<Long, List<byte[]>> e : versions.entrySet()) {
            int pick = random.nextInt(e.getValue().size() + 1);
            if (pick > 0) {
                byte[] version = e.getValue().get(pick - 1);
                chosen.put(e.getKey(), version);
                end = Math.max(end, (int) (e.getKey() * SECTOR) + version.length);
            }
        }
        byte[] out = Arrays.copyOf(image, end);
        chosen.forEach((sector, version) -> System.arraycopy(version, 0, out, (int) (sector * SECTOR), version.length));
        return out;
    }

    @Override
    public void close() {
    }
}
