package dev.parvis.wmi.remote;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMap;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TSet;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.transport.TMemoryBuffer;

/**
 * A well-formed call message as the generated code writes it (strict binary protocol, no frame
 * length), with where each field, string length and container size sits, so that a mutation can
 * change one of them and leave the rest of the message as the server expects it.
 *
 * @param method the method name in the message header
 * @param bytes  the message
 * @param spans  every field, string, container header and struct end, in the order written
 */
record RecordedCall(String method, byte[] bytes, List<Span> spans) {

    enum Kind { FIELD, STRING, LIST, SET, MAP, STOP }

    /**
     * One part of the message: a FIELD spans its header (type byte, 2-byte id) and value; a STRING
     * its 4-byte length and bytes; a LIST or SET header is an element type and 4-byte size, a MAP
     * header a key type, a value type and a 4-byte size; a STOP is the byte ending a struct.
     * {@code struct} numbers the struct a FIELD or STOP belongs to (0 is the arguments).
     */
    record Span(Kind kind, int start, int end, int struct, short fieldId) {
        /** Where this span's 4-byte length or element count sits, or -1. */
        int sizeOffset() {
            return switch (kind) {
                case STRING -> start;
                case LIST, SET -> start + 1;
                case MAP -> start + 2;
                case FIELD, STOP -> -1;
            };
        }
    }

    /** Offset of the 4-byte method-name length in the header. */
    static final int NAME_LENGTH_OFFSET = 4;

    /** Offset of the 4-byte sequence id, just after the name. */
    int seqidOffset() {
        return 8 + method.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** The fields of the struct numbered {@code struct}, in order. */
    List<Span> fields(int struct) {
        return spans.stream().filter(s -> s.kind() == Kind.FIELD && s.struct() == struct).toList();
    }

    /** {@code method}'s call with {@code args}, written by the generated code through a recording protocol. */
    static RecordedCall of(String method, TBase<?, ?> args, int seqid) {
        Recorder p = new Recorder();
        try {
            p.writeMessageBegin(new TMessage(method, TMessageType.CALL, seqid));
            args.write(p);
            p.writeMessageEnd();
        } catch (TException e) {
            throw new IllegalStateException("writing a well-formed " + method + " call", e);
        }
        return new RecordedCall(method, Arrays.copyOf(p.buffer.getArray(), p.buffer.length()), List.copyOf(p.spans));
    }

    /** Writes as TBinaryProtocol does, noting where each field, length and struct end went. */
    private static final class Recorder extends TBinaryProtocol {
        final TMemoryBuffer buffer;
        final List<Span> spans = new ArrayList<>();
        private final Deque<Integer> structs = new ArrayDeque<>();
        private final Deque<Integer> openFields = new ArrayDeque<>();
        private int nextStruct;

        Recorder() {
            this(buffer());
        }

        private static TMemoryBuffer buffer() {
            try {
                return new TMemoryBuffer(512);
            } catch (org.apache.thrift.transport.TTransportException e) {
                throw new IllegalStateException("a memory buffer", e);
            }
        }

        private Recorder(TMemoryBuffer buffer) {
            super(buffer, true, true);
            this.buffer = buffer;
        }

        private int at() {
            return buffer.length();
        }

        @Override
        public void writeStructBegin(TStruct struct) throws TException {
            structs.push(nextStruct++);
            super.writeStructBegin(struct);
        }

        @Override
        public void writeStructEnd() throws TException {
            super.writeStructEnd();
            structs.pop();
        }

        @Override
        public void writeFieldBegin(TField field) throws TException {
            openFields.push(spans.size());
            spans.add(new Span(Kind.FIELD, at(), -1, structs.element(), field.id));
            super.writeFieldBegin(field);
        }

        @Override
        public void writeFieldEnd() throws TException {
            super.writeFieldEnd();
            int i = openFields.pop();
            Span open = spans.get(i);
            spans.set(i, new Span(Kind.FIELD, open.start(), at(), open.struct(), open.fieldId()));
        }

        @Override
        public void writeFieldStop() throws TException {
            spans.add(new Span(Kind.STOP, at(), at() + 1, structs.element(), (short) 0));
            super.writeFieldStop();
        }

        @Override
        public void writeString(String s) throws TException {
            int start = at();
            super.writeString(s);
            spans.add(new Span(Kind.STRING, start, at(), -1, (short) 0));
        }

        @Override
        public void writeListBegin(TList list) throws TException {
            spans.add(new Span(Kind.LIST, at(), at() + 5, -1, (short) 0));
            super.writeListBegin(list);
        }

        @Override
        public void writeSetBegin(TSet set) throws TException {
            spans.add(new Span(Kind.SET, at(), at() + 5, -1, (short) 0));
            super.writeSetBegin(set);
        }

        @Override
        public void writeMapBegin(TMap map) throws TException {
            spans.add(new Span(Kind.MAP, at(), at() + 6, -1, (short) 0));
            super.writeMapBegin(map);
        }
    }
}
