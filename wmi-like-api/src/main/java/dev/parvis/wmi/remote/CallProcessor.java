package dev.parvis.wmi.remote;

import dev.parvis.vmcore.log.LogBudget;
import dev.parvis.wmi.security.AuditLog;
import java.util.Map;
import org.apache.thrift.ProcessFunction;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.TProcessor;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches one connection's messages to the generated functions, serving only calls. libthrift's
 * own processor looks at a message's name and never at its type, so a REPLY, EXCEPTION or ONEWAY
 * message (or a type byte Thrift does not define) ran as a call and was answered. Here it gets
 * INVALID_MESSAGE_TYPE and runs nothing. The IDL declares no oneway method, so no ONEWAY message
 * is served; a oneway method added to the IDL must be admitted here.
 *
 * <p>A refused message's body is left unread, as is an unknown method's: the server drops the rest
 * of each frame after its message. Arguments that run past the end of their frame are answered
 * PROTOCOL_ERROR, as libthrift answers other malformed arguments.
 *
 * @param <I> the generated service interface
 */
final class CallProcessor<I> implements TProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(CallProcessor.class);
    /** A client picks its messages' types: the lines it can cause share a budget. */
    private static final LogBudget REFUSED = LogBudget.standard();

    private final I handler;
    @SuppressWarnings("rawtypes")
    private final Map<String, ProcessFunction<I, ? extends TBase>> functions;
    private final Session session;
    private final AuditLog audit;

    @SuppressWarnings("rawtypes")
    CallProcessor(I handler, Map<String, ProcessFunction<I, ? extends TBase>> functions, Session session, AuditLog audit) {
        this.handler = handler;
        this.functions = Map.copyOf(functions);
        this.session = session;
        this.audit = audit;
    }

    @Override
    public void process(TProtocol in, TProtocol out) throws TException {
        TMessage m = in.readMessageBegin();
        if (m.type != TMessageType.CALL) {
            String type = typeName(m.type);
            REFUSED.info(LOG, "management connection {} sent a {} message ('{}', seqid {}); only calls are served: answered INVALID_MESSAGE_TYPE",
                    session.remote(), type, AuditLog.clean(m.name), m.seqid);
            audit.record(session.user(), session.remote(), "message " + type + " " + m.name, "refused: only calls are served");
            answer(out, m, new TApplicationException(TApplicationException.INVALID_MESSAGE_TYPE,
                    "a " + type + " message: the server takes only calls"));
            return;
        }
        var function = functions.get(m.name);
        if (function == null) {
            answer(out, m, new TApplicationException(TApplicationException.UNKNOWN_METHOD, "Invalid method name: '" + m.name + "'"));
            return;
        }
        try {
            function.process(m.seqid, in, out, handler);
        } catch (InboundFrames.Overrun e) {
            // Only reading the arguments reads the frame, and that comes before the call runs or
            // anything is written. The frame's end is known, so the message gets the answer of any
            // other malformed one, and the connection goes on with the next frame.
            answer(out, m, new TApplicationException(TApplicationException.PROTOCOL_ERROR, e.getMessage()));
        }
    }

    private static String typeName(byte type) {
        return switch (type) {
            case TMessageType.REPLY -> "REPLY";
            case TMessageType.EXCEPTION -> "EXCEPTION";
            case TMessageType.ONEWAY -> "ONEWAY";
            default -> "type-" + (type & 0xff);
        };
    }

    private static void answer(TProtocol out, TMessage m, TApplicationException error) throws TException {
        out.writeMessageBegin(new TMessage(m.name, TMessageType.EXCEPTION, m.seqid));
        error.write(out);
        out.writeMessageEnd();
        out.getTransport().flush();
    }
}
