package dev.parvis.wmi.remote;

import org.apache.thrift.TException;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMap;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolDecorator;
import org.apache.thrift.protocol.TProtocolException;
import org.apache.thrift.protocol.TSet;
import org.apache.thrift.protocol.TStruct;

/**
 * Refuses input that nests structs and containers deeper than a limit. The generated readers of
 * recursive types (an embedded CimInstance inside a CimValue) recurse once per level, and
 * libthrift 0.17 checks depth only when skipping, so without this a small frame of nested values
 * could exhaust a connection thread's stack. The server reads its requests through it, the client
 * its answers.
 */
public final class DepthLimitedProtocol extends TProtocolDecorator {
    private final int limit;
    private int depth;

    public DepthLimitedProtocol(TProtocol protocol, int limit) {
        super(protocol);
        this.limit = limit;
    }

    private void enter() throws TProtocolException {
        if (++depth > limit) {
            depth = 0;
            throw new TProtocolException(TProtocolException.DEPTH_LIMIT, "input nests deeper than " + limit + " levels");
        }
    }

    private void leave() {
        depth = Math.max(0, depth - 1);
    }

    @Override
    public TStruct readStructBegin() throws TException {
        enter();
        return super.readStructBegin();
    }

    @Override
    public void readStructEnd() throws TException {
        super.readStructEnd();
        leave();
    }

    @Override
    public TList readListBegin() throws TException {
        enter();
        return super.readListBegin();
    }

    @Override
    public void readListEnd() throws TException {
        super.readListEnd();
        leave();
    }

    @Override
    public TMap readMapBegin() throws TException {
        enter();
        return super.readMapBegin();
    }

    @Override
    public void readMapEnd() throws TException {
        super.readMapEnd();
        leave();
    }

    @Override
    public TSet readSetBegin() throws TException {
        enter();
        return super.readSetBegin();
    }

    @Override
    public void readSetEnd() throws TException {
        super.readSetEnd();
        leave();
    }

    /** A new message starts at depth 0 (a message cut short by an error leaves no debt). */
    @Override
    public org.apache.thrift.protocol.TMessage readMessageBegin() throws TException {
        depth = 0;
        return super.readMessageBegin();
    }
}
