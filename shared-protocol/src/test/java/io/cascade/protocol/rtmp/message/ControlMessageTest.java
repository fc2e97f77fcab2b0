package io.cascade.protocol.rtmp.message;

import static io.cascade.protocol.rtmp.message.MessageVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cascade.protocol.rtmp.RtmpProtocolException;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ControlMessageTest {

    static Stream<MessageVectors.Vector> vectors() {
        return MessageVectors.ALL.stream();
    }

    static Object decode(int type, byte[] payload) throws RtmpProtocolException {
        return switch (type) {
            case MessageType.SET_CHUNK_SIZE -> SetChunkSize.decode(payload);
            case MessageType.ABORT -> Abort.decode(payload);
            case MessageType.ACKNOWLEDGEMENT -> Acknowledgement.decode(payload);
            case MessageType.USER_CONTROL -> UserControl.decode(payload);
            case MessageType.WINDOW_ACK_SIZE -> WindowAckSize.decode(payload);
            case MessageType.SET_PEER_BANDWIDTH -> SetPeerBandwidth.decode(payload);
            default -> throw new AssertionError(type);
        };
    }

    static byte[] encode(Object o) {
        if (o instanceof SetChunkSize m) {
            return m.encode();
        } else if (o instanceof Abort m) {
            return m.encode();
        } else if (o instanceof Acknowledgement m) {
            return m.encode();
        } else if (o instanceof UserControl m) {
            return m.encode();
        } else if (o instanceof WindowAckSize m) {
            return m.encode();
        } else if (o instanceof SetPeerBandwidth m) {
            return m.encode();
        }
        throw new AssertionError(o);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesVector(MessageVectors.Vector v) throws Exception {
        assertEquals(v.decoded(), decode(v.typeId(), v.payload()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void encodesVector(MessageVectors.Vector v) {
        assertArrayEquals(v.payload(), encode(v.decoded()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void rejectsEveryTruncationBelowMinimum(MessageVectors.Vector v) {
        for (int n = 0; n < v.payload().length; n++) {
            byte[] cut = java.util.Arrays.copyOf(v.payload(), n);
            boolean unknownEvent = v.decoded() instanceof UserControl u && UserControl.requiredDataLength(u.eventType()) == 0;
            if (unknownEvent && n >= 2) {
                continue; // unknown events have no required data
            }
            assertThrows(RtmpProtocolException.class, () -> decode(v.typeId(), cut), v.name() + " cut to " + n);
        }
    }

    @Test
    void rejectsBadValues() {
        assertThrows(RtmpProtocolException.class, () -> SetChunkSize.decode(hex("80000000")));
        assertThrows(RtmpProtocolException.class, () -> SetChunkSize.decode(hex("00000000")));
        assertThrows(RtmpProtocolException.class, () -> SetPeerBandwidth.decode(hex("00001000 03")));
        assertThrows(RtmpProtocolException.class, () -> Abort.decode(hex("80000000")));
        assertThrows(RtmpProtocolException.class, () -> SetChunkSize.decode(null));
    }

    @Test
    void userControlAccessors() throws Exception {
        UserControl u = UserControl.decode(hex("0003 00000005 00000BB8"));
        assertEquals(5, u.streamId());
        assertEquals(3000, u.bufferLength());
        assertEquals(0xDEADBEEFL, UserControl.decode(hex("0006 DEADBEEF")).value());
        assertThrows(IllegalStateException.class, () -> new UserControl(99, new byte[1]).value());
    }

    @Test
    void namesTypes() {
        assertEquals("SetChunkSize", MessageType.name(MessageType.SET_CHUNK_SIZE));
        assertEquals("CommandAmf0", MessageType.name(MessageType.COMMAND_AMF0));
        assertEquals("Aggregate", MessageType.name(22));
        assertEquals("unknown(99)", MessageType.name(99));
    }
}
