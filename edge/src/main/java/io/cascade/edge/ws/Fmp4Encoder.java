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
 * ({@code /time}) to show its latency. The anchor travels on segment-start frames ({@link MediaFrame#clockAnchorMillis()});
 * an encoder that joins a stream between two learns it at the next one.
 *
 * <p>Unit layout: one kind byte, then for {@link #INIT} and {@link #CLOCK} a 2-byte length and a text in ASCII (the
 * MIME type, the clock JSON) followed by the init segment or the fragment, for {@link #FRAGMENT} the fragment.
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
                    ? textUnit(CLOCK, clockJson(anchorMillis + frame.dtsMillis(), timestampMillis), fragment)
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
        return textUnit(INIT, mimeType, init);
    }

    private static byte[] textUnit(byte kind, String text, byte[] body) {
        byte[] ascii = text.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[3 + ascii.length + body.length];
        out[0] = kind;
        out[1] = (byte) (ascii.length >>> 8);
        out[2] = (byte) ascii.length;
        System.arraycopy(ascii, 0, out, 3, ascii.length);
        System.arraycopy(body, 0, out, 3 + ascii.length, body.length);
        return out;
    }

    static byte[] fragmentUnit(byte[] fragment) {
        byte[] out = new byte[1 + fragment.length];
        out[0] = FRAGMENT;
        System.arraycopy(fragment, 0, out, 1, fragment.length);
        return out;
    }

    /** The kind of a unit: {@link #INIT}, {@link #FRAGMENT} or {@link #CLOCK}. */
    static byte kind(ByteBuf unit) {
        return unit.getByte(unit.readerIndex());
    }

    /** The text of an init unit (its MIME type) or of a clock unit (its JSON). */
    static String text(ByteBuf unit) {
        int at = unit.readerIndex();
        int length = unit.getUnsignedShort(at + 1);
        return unit.toString(at + 3, length, StandardCharsets.US_ASCII);
    }

    /** The init segment of an init unit, or the fragment of a fragment or clock unit: a view, not a copy. */
    static ByteBuf body(ByteBuf unit) {
        int at = unit.readerIndex();
        int skip = kind(unit) == FRAGMENT ? 1 : 3 + unit.getUnsignedShort(at + 1);
        return unit.slice(at + skip, unit.readableBytes() - skip);
    }
}
