package io.cascade.edge.ws;

import io.cascade.edge.fanout.FrameEncoder;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.protocol.mp4.Fmp4Stream;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The WebSocket viewers' encoding of one stream on this node: each frame once, through the shared {@link Fmp4Stream},
 * the same bytes for every viewer. A config frame becomes the stream's new init segment together with its MIME type
 * (an {@link #INIT} unit); a media frame becomes one movie fragment (a {@link #FRAGMENT} unit, or a {@link #CLOCK}
 * unit at a sync point); metadata becomes nothing. Each viewer's {@link WsViewer} turns units into WebSocket messages:
 * it sends an init unit (a text message with the MIME type, then a binary one with the init segment) only before the
 * first fragment that follows it, and only when it differs from the last one that viewer got.
 *
 * <p>Clock: at every video keyframe (every segment start of a stream without video), once the stream's clock anchor
 * is known, the fragment comes as a {@link #CLOCK} unit: a text message
 * {@code {"wallclock":<epoch ms>,"time":<seconds>}} before it, mapping the fragment's decode time on the viewers'
 * timeline ({@code time}, what the fMP4's tfdt says, continued across republishes) to the wall clock of the ingest that
 * received it ({@code wallclock}: the stream's clock anchor plus the frame's media time, the same figure HLS's
 * EXT-X-PROGRAM-DATE-TIME and DASH's availabilityStartTime give). A page compares it with the server's clock
 * ({@code /time}) to show its latency. The anchor travels on segment-start frames
 * ({@link MediaFrame#clockAnchorMillis()}); an encoder that joins a stream between two learns it at the next one.
 *
 * <p>Unit layout: one kind byte, then the WebSocket frames a viewer is sent, built here once for all of them (a
 * server's frames are not masked): for {@link #INIT} a text frame with the MIME type and a binary one with the init
 * segment, for {@link #CLOCK} a text frame with the clock JSON and a binary one with the fragment, for
 * {@link #FRAGMENT} a binary frame with the fragment. A viewer writes them to its connection as they are.
 */
final class Fmp4Encoder implements FrameEncoder {
    private static final Logger log = LoggerFactory.getLogger(Fmp4Encoder.class);
    static final byte INIT = 'I';
    static final byte FRAGMENT = 'F';
    static final byte CLOCK = 'C';

    private final Fmp4Stream stream = new Fmp4Stream();
    private final RateLimitedLog skipped = new RateLimitedLog(log);
    /** Wall clock (epoch ms) at media time 0 of the stream, from its last segment start; 0 until one came. */
    private long anchorMillis;

    @Override
    public byte[] encode(MediaFrame frame, long timestampMillis) {
        if (frame.trackType() == TrackType.DATA) {
            return null; // onMetaData has no place in fMP4: the init segment says what a player needs
        }
        try {
            if (frame.isConfig()) {
                stream.configure(frame);
                return initUnit(stream.mimeType(), stream.initSegment());
            }
            if (frame.clockAnchorMillis() != 0) {
                anchorMillis = frame.clockAnchorMillis();
            }
            byte[] fragment = stream.fragment(frame, timestampMillis);
            if (fragment == null) {
                return null;
            }
            boolean syncPoint = frame.trackType() == TrackType.VIDEO ? frame.isKeyframe() : frame.isSegmentStart();
            return syncPoint && anchorMillis != 0
                    ? unit(CLOCK, clockJson(anchorMillis + frame.dtsMillis(), timestampMillis), fragment)
                    : fragmentUnit(fragment);
        } catch (IllegalArgumentException e) {
            // one frame the fMP4 writer cannot carry must not stop the stream for the other protocols
            skipped.warn("a frame is not sent to WebSocket viewers: {}", e.getMessage());
            return null;
        }
    }

    @Override
    public void publishEnded() {
        stream.reset();
        anchorMillis = 0; // the next publish's first frame starts a segment and brings the anchor again
    }

    /** The clock message: {@code {"wallclock":<epoch ms>,"time":<seconds, 3 decimals>}}. */
    static String clockJson(long wallclockMillis, long timestampMillis) {
        return "{\"wallclock\":" + wallclockMillis + ",\"time\":"
                + BigDecimal.valueOf(timestampMillis, 3).toPlainString() + "}";
    }

    static byte[] initUnit(String mimeType, byte[] init) {
        return unit(INIT, mimeType, init);
    }

    static byte[] fragmentUnit(byte[] fragment) {
        return unit(FRAGMENT, null, fragment);
    }

    /**
     * A unit: its kind, then the WebSocket frames that carry it, as a server sends them (unmasked, so the same bytes
     * for every viewer): a text frame with {@code text} when there is one, then a binary frame with {@code body}.
     */
    private static byte[] unit(byte kind, String text, byte[] body) {
        byte[] ascii = text == null ? null : text.getBytes(StandardCharsets.US_ASCII);
        int size = 1 + (ascii == null ? 0 : headerLength(ascii.length) + ascii.length)
                + headerLength(body.length) + body.length;
        byte[] out = new byte[size];
        out[0] = kind;
        int at = 1;
        if (ascii != null) {
            at = putHeader(out, at, OPCODE_TEXT, ascii.length);
            System.arraycopy(ascii, 0, out, at, ascii.length);
            at += ascii.length;
        }
        at = putHeader(out, at, OPCODE_BINARY, body.length);
        System.arraycopy(body, 0, out, at, body.length);
        return out;
    }

    static final int OPCODE_TEXT = 1;
    static final int OPCODE_BINARY = 2;

    /** RFC 6455 5.2: 2 bytes, then 2 more for a payload over 125 bytes, 8 more for one over 65535. */
    private static int headerLength(int payload) {
        return payload < 126 ? 2 : payload < 65536 ? 4 : 10;
    }

    /** A final frame's header (FIN set, no mask) at {@code at}; answers where the payload goes. */
    private static int putHeader(byte[] out, int at, int opcode, int payload) {
        out[at++] = (byte) (0x80 | opcode);
        if (payload < 126) {
            out[at++] = (byte) payload;
        } else if (payload < 65536) {
            out[at++] = 126;
            out[at++] = (byte) (payload >>> 8);
            out[at++] = (byte) payload;
        } else {
            out[at++] = 127;
            for (int shift = 56; shift >= 0; shift -= 8) {
                out[at++] = (byte) ((long) payload >>> shift);
            }
        }
        return at;
    }

    /** The kind of a unit: {@link #INIT}, {@link #FRAGMENT} or {@link #CLOCK}. */
    static byte kind(ByteBuf unit) {
        return unit.getByte(unit.readerIndex());
    }

    /** The WebSocket frames of a unit, ready to write to a viewer's connection: a view, not a copy. */
    static ByteBuf wire(ByteBuf unit) {
        return unit.slice(unit.readerIndex() + 1, unit.readableBytes() - 1);
    }

    /** One message of a unit: a text or a binary frame's payload (a view). */
    record Message(boolean text, ByteBuf payload) {
    }

    /** The messages of a unit, in order: the text one (MIME type or clock) if any, then the binary one. */
    static List<Message> messages(ByteBuf unit) {
        List<Message> out = new ArrayList<>(2);
        int at = unit.readerIndex() + 1;
        int end = unit.writerIndex();
        while (at < end) {
            int opcode = unit.getByte(at) & 0x0F;
            int length = unit.getByte(at + 1) & 0x7F;
            int header = 2;
            if (length == 126) {
                length = unit.getUnsignedShort(at + 2);
                header = 4;
            } else if (length == 127) {
                length = (int) unit.getLong(at + 2);
                header = 10;
            }
            out.add(new Message(opcode == OPCODE_TEXT, unit.slice(at + header, length)));
            at += header + length;
        }
        return out;
    }

    /** The text of an init unit (its MIME type) or of a clock unit (its JSON). */
    static String text(ByteBuf unit) {
        return messages(unit).get(0).payload().toString(StandardCharsets.US_ASCII);
    }

    /** The init segment of an init unit, or the fragment of a fragment or clock unit: a view, not a copy. */
    static ByteBuf body(ByteBuf unit) {
        List<Message> m = messages(unit);
        return m.get(m.size() - 1).payload();
    }
}
