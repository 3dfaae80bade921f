package dev.parvis.wmi.remote;

import dev.parvis.wmi.remote.RecordedCall.Kind;
import dev.parvis.wmi.remote.RecordedCall.Span;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.apache.thrift.protocol.TType;

/**
 * A hostile frame made from a well-formed call by mutations that know the message's structure:
 * field types and ids, string lengths and container sizes set to 0, -1, huge, just past the frame
 * or just past the server's limit; fields dropped, duplicated or swapped; the message type,
 * version, sequence id or method name changed; bytes flipped; the message cut short or followed by
 * junk; the frame length lying. Mutations that keep every offset are applied first, then at most
 * one that moves bytes, then the frame length.
 */
final class MutatedFrame {
    private static final int[] TYPES = {TType.STOP, TType.BOOL, TType.BYTE, TType.DOUBLE, TType.I16, TType.I32, TType.I64, TType.STRING,
            TType.STRUCT, TType.MAP, TType.SET, TType.LIST, TType.ENUM, 17, 0x7f, 0xff, 5};
    private static final String[] METHODS = {"login", "resume", "query", "getInstance", "invokeMethod", "subscribe", "poll",
            "unsubscribe", "", "Query", "login\0"};

    private final RecordedCall call;
    private final ServerLimits limits;
    private byte[] payload;
    private Integer frameLength;
    private final List<String> done = new ArrayList<>();

    private MutatedFrame(RecordedCall call, ServerLimits limits) {
        this.call = call;
        this.limits = limits;
        this.payload = call.bytes().clone();
    }

    /**
     * Random bytes, a third of them behind a plausible header (strict version, CALL, then junk), a
     * few with a lying frame length.
     */
    static MutatedFrame garbage(ServerLimits limits, Random r) {
        byte[] junk = new byte[r.nextInt(3) == 0 ? r.nextInt(16) : r.nextInt(2000)];
        r.nextBytes(junk);
        if (junk.length >= 4 && r.nextInt(3) == 0) {
            System.arraycopy(new byte[] {(byte) 0x80, 1, 0, 1}, 0, junk, 0, 4);
        }
        MutatedFrame f = new MutatedFrame(RecordedCall.of("garbage", new dev.parvis.wmi.thrift.gen.ManagementApi.unsubscribe_args(), 0),
                limits);
        f.payload = junk;
        f.done.add(junk.length + " random bytes");
        if (r.nextInt(8) == 0) {
            f.lieAboutLength(r);
        }
        return f;
    }

    /** {@code call} with one to three mutations chosen by {@code r}. */
    static MutatedFrame of(RecordedCall call, ServerLimits limits, Random r) {
        MutatedFrame f = new MutatedFrame(call, limits);
        int inPlace = r.nextInt(4) == 0 ? 2 : r.nextInt(3) == 0 ? 0 : 1;
        for (int i = 0; i < inPlace; i++) {
            f.inPlace(r);
        }
        if (inPlace == 0 || r.nextInt(3) == 0) {
            f.reshape(r);
        }
        if (r.nextInt(8) == 0) {
            f.lieAboutLength(r);
        }
        return f;
    }

    /** {@code call} cut after {@code keep} bytes, framed honestly ({@code lying} false) or with its full length. */
    static MutatedFrame truncated(RecordedCall call, ServerLimits limits, int keep, boolean lying) {
        MutatedFrame f = new MutatedFrame(call, limits);
        f.payload = Arrays.copyOf(f.payload, keep);
        f.done.add("cut to " + keep + " of " + call.bytes().length + " bytes");
        if (lying) {
            f.frameLength = call.bytes().length;
            f.done.add("frame length still " + call.bytes().length);
        }
        return f;
    }

    /** The frame as sent: a 4-byte big-endian length (true or not) and the payload. */
    byte[] wire() {
        int length = frameLength != null ? frameLength : payload.length;
        return ByteBuffer.allocate(4 + payload.length).putInt(length).put(payload).array();
    }

    /**
     * What was done to which call, and the frame's first bytes in hex: tokens, subscription ids and
     * the VM's id differ from run to run, so a replay by seed makes the same mutations of other bytes.
     */
    String description() {
        byte[] wire = wire();
        return call.method() + ": " + String.join("; ", done) + "; frame " + HexFormat.of().formatHex(wire, 0, Math.min(wire.length, 400))
                + (wire.length > 400 ? "..." : "");
    }

    private void inPlace(Random r) {
        List<Span> fields = spans(Kind.FIELD);
        List<Span> sized = call.spans().stream().filter(s -> s.sizeOffset() >= 0).toList();
        switch (r.nextInt(8)) {
            case 0, 1 -> {
                if (!sized.isEmpty()) {
                    setSize(sized.get(r.nextInt(sized.size())), r);
                }
            }
            case 2 -> {
                if (!fields.isEmpty()) {
                    Span f = fields.get(r.nextInt(fields.size()));
                    int type = TYPES[r.nextInt(TYPES.length)];
                    payload[f.start()] = (byte) type;
                    done.add("field " + f.fieldId() + " at " + f.start() + " typed " + type);
                }
            }
            case 3 -> {
                if (!fields.isEmpty()) {
                    Span f = fields.get(r.nextInt(fields.size()));
                    short id = (short) pick(r, 0, -1, Short.MAX_VALUE, Short.MIN_VALUE, f.fieldId() + 1, f.fieldId() - 1, r.nextInt(16));
                    ByteBuffer.wrap(payload).putShort(f.start() + 1, id);
                    done.add("field " + f.fieldId() + " at " + f.start() + " renumbered " + id);
                }
            }
            case 4 -> elementType(r);
            case 5 -> header(r);
            default -> flipBytes(r);
        }
    }

    private List<Span> spans(Kind kind) {
        return call.spans().stream().filter(s -> s.kind() == kind).toList();
    }

    /** A string length or element count: 0, -1, huge, just past the frame, just past the server's limit, or random. */
    private void setSize(Span s, Random r) {
        int at = s.sizeOffset();
        int left = payload.length - (at + 4);
        int limit = s.kind() == Kind.STRING ? limits.maxStringBytes() : limits.maxContainerElements();
        int size = pick(r, 0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7ff0_0000, left, left + 1, limit, limit + 1, r.nextInt());
        ByteBuffer.wrap(payload).putInt(at, size);
        done.add(s.kind() + " size at " + at + " set to " + size + " (" + left + " bytes follow)");
    }

    private void elementType(Random r) {
        List<Span> containers = call.spans().stream().filter(s -> s.kind() == Kind.LIST || s.kind() == Kind.MAP
                || s.kind() == Kind.SET).toList();
        if (containers.isEmpty()) {
            flipBytes(r);
            return;
        }
        Span c = containers.get(r.nextInt(containers.size()));
        int which = c.kind() == Kind.MAP ? r.nextInt(2) : 0;
        int type = TYPES[r.nextInt(TYPES.length)];
        payload[c.start() + which] = (byte) type;
        done.add(c.kind() + " at " + c.start() + (which == 0 ? " element" : " value") + " type " + type);
    }

    /** The message header: version, message type or sequence id. */
    private void header(Random r) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        switch (r.nextInt(3)) {
            case 0 -> {
                int type = pick(r, 0, 2, 3, 4, 5, 0x7f, 0xff);
                payload[3] = (byte) type;
                done.add("message type " + type);
            }
            case 1 -> {
                short version = (short) pick(r, 0x8002, 0x7fff, 0, 0x8000, r.nextInt());
                b.putShort(0, version);
                done.add("version " + Integer.toHexString(version & 0xffff));
            }
            default -> {
                int seqid = pick(r, 0, -1, Integer.MIN_VALUE, r.nextInt());
                b.putInt(call.seqidOffset(), seqid);
                done.add("seqid " + seqid);
            }
        }
    }

    /**
     * One to four bytes set at random. Poll's timeout (field 3 of the arguments) is left alone: any
     * value up to 30 s is a wait the client asked for, not a hang.
     */
    private void flipBytes(Random r) {
        Span timeout = call.method().equals("poll") ? call.fields(0).stream().filter(f -> f.fieldId() == 3).findFirst().orElse(null) : null;
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            int at = r.nextInt(payload.length);
            if (timeout != null && at >= timeout.start() && at < timeout.end()) {
                continue;
            }
            byte value = (byte) r.nextInt(256);
            payload[at] = value;
            done.add("byte " + at + " = " + (value & 0xff));
        }
    }

    /** One mutation that moves bytes: a field dropped, duplicated or swapped, the method renamed, the message cut or followed by junk. */
    private void reshape(Random r) {
        List<Span> fields = spans(Kind.FIELD);
        switch (fields.isEmpty() ? 4 + r.nextInt(3) : r.nextInt(7)) {
            case 0 -> {
                Span f = fields.get(r.nextInt(fields.size()));
                splice(f.start(), f.end(), new byte[0]);
                done.add("field " + f.fieldId() + " at " + f.start() + " dropped");
            }
            case 1 -> {
                Span f = fields.get(r.nextInt(fields.size()));
                splice(f.end(), f.end(), Arrays.copyOfRange(payload, f.start(), f.end()));
                done.add("field " + f.fieldId() + " at " + f.start() + " duplicated");
            }
            case 2 -> swapNeighbours(fields, r);
            case 3 -> {
                String name = METHODS[r.nextInt(METHODS.length)];
                byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                byte[] header = ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).array();
                splice(RecordedCall.NAME_LENGTH_OFFSET, call.seqidOffset(), header);
                done.add("method renamed '" + name + "'");
            }
            case 4 -> {
                int keep = r.nextInt(payload.length);
                payload = Arrays.copyOf(payload, keep);
                done.add("cut to " + keep + " bytes");
            }
            case 5 -> {
                byte[] junk = new byte[1 + r.nextInt(64)];
                r.nextBytes(junk);
                splice(payload.length, payload.length, junk);
                done.add(junk.length + " junk bytes appended");
            }
            default -> {
                int at = r.nextInt(payload.length + 1);
                byte[] junk = new byte[1 + r.nextInt(8)];
                r.nextBytes(junk);
                splice(at, at, junk);
                done.add(junk.length + " junk bytes inserted at " + at);
            }
        }
    }

    /** Two fields of one struct, one right after the other, change places. */
    private void swapNeighbours(List<Span> fields, Random r) {
        List<Span[]> pairs = new ArrayList<>();
        for (Span a : fields) {
            fields.stream().filter(b -> b.struct() == a.struct() && b.start() == a.end()).forEach(b -> pairs.add(new Span[] {a, b}));
        }
        if (pairs.isEmpty()) {
            Span f = fields.get(r.nextInt(fields.size()));
            splice(f.end(), f.end(), Arrays.copyOfRange(payload, f.start(), f.end()));
            done.add("field " + f.fieldId() + " at " + f.start() + " duplicated (no neighbours to swap)");
            return;
        }
        Span[] p = pairs.get(r.nextInt(pairs.size()));
        byte[] first = Arrays.copyOfRange(payload, p[0].start(), p[0].end());
        byte[] second = Arrays.copyOfRange(payload, p[1].start(), p[1].end());
        byte[] swapped = ByteBuffer.allocate(first.length + second.length).put(second).put(first).array();
        splice(p[0].start(), p[1].end(), swapped);
        done.add("fields " + p[0].fieldId() + " and " + p[1].fieldId() + " at " + p[0].start() + " swapped");
    }

    private void splice(int from, int to, byte[] with) {
        byte[] out = new byte[payload.length - (to - from) + with.length];
        System.arraycopy(payload, 0, out, 0, from);
        System.arraycopy(with, 0, out, from, with.length);
        System.arraycopy(payload, to, out, from + with.length, payload.length - to);
        payload = out;
    }

    /** The frame length lies: 0, negative, short or long by a little, just past the server's limit, or huge. */
    private void lieAboutLength(Random r) {
        int n = payload.length;
        frameLength = pick(r, 0, -1, Integer.MIN_VALUE, Math.max(0, n - 1), n - 1 - r.nextInt(Math.max(1, n)), n + 1, n + r.nextInt(100),
                limits.maxFrameBytes(), limits.maxFrameBytes() + 1, Integer.MAX_VALUE);
        done.add("frame length " + frameLength + " for " + n + " bytes");
    }

    private static int pick(Random r, int... choices) {
        return choices[r.nextInt(choices.length)];
    }
}
