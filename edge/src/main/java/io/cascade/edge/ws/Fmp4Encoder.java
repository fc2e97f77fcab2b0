package io.cascade.edge.ws;

import io.cascade.edge.fanout.FrameEncoder;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.protocol.mp4.Fmp4Stream;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * The WebSocket viewers' encoding of one stream on this node: each frame once, through the shared {@link Fmp4Stream},
 * the same bytes for every viewer. A config frame becomes the stream's new init segment together with its MIME type
 * (an {@link #INIT} unit); a media frame becomes one movie fragment (a {@link #FRAGMENT} unit); metadata becomes
 * nothing. Each viewer's {@link WsViewer} turns units into WebSocket messages: it sends an init unit (a text message
 * with the MIME type, then a binary one with the init segment) only before the first fragment that follows it, and
 * only when it differs from the last one that viewer got.
 *
 * <p>Unit layout: one kind byte, then for {@link #INIT} a 2-byte length and the MIME type in ASCII followed by the
 * init segment, for {@link #FRAGMENT} the fragment.
 */
final class Fmp4Encoder implements FrameEncoder {
    private static final Logger log = LoggerFactory.getLogger(Fmp4Encoder.class);
    static final byte INIT = 'I';
    static final byte FRAGMENT = 'F';

    private final Fmp4Stream stream = new Fmp4Stream();
    private final RateLimitedLog skipped = new RateLimitedLog(log);

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
            byte[] fragment = stream.fragment(frame, timestampMillis);
            return fragment == null ? null : fragmentUnit(fragment);
        } catch (IllegalArgumentException e) {
            // one frame the fMP4 writer cannot carry must not stop the stream for the other protocols
            skipped.warn("a frame is not sent to WebSocket viewers: {}", e.getMessage());
            return null;
        }
    }

    @Override
    public void publishEnded() {
        stream.reset();
    }

    static byte[] initUnit(String mimeType, byte[] init) {
        byte[] mime = mimeType.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[3 + mime.length + init.length];
        out[0] = INIT;
        out[1] = (byte) (mime.length >>> 8);
        out[2] = (byte) mime.length;
        System.arraycopy(mime, 0, out, 3, mime.length);
        System.arraycopy(init, 0, out, 3 + mime.length, init.length);
        return out;
    }

    static byte[] fragmentUnit(byte[] fragment) {
        byte[] out = new byte[1 + fragment.length];
        out[0] = FRAGMENT;
        System.arraycopy(fragment, 0, out, 1, fragment.length);
        return out;
    }

    /** The kind of a unit: {@link #INIT} or {@link #FRAGMENT}. */
    static byte kind(ByteBuf unit) {
        return unit.getByte(unit.readerIndex());
    }

    /** The MIME type of an init unit. */
    static String mimeType(ByteBuf unit) {
        int at = unit.readerIndex();
        int length = unit.getUnsignedShort(at + 1);
        return unit.toString(at + 3, length, StandardCharsets.US_ASCII);
    }

    /** The init segment of an init unit, or the fragment of a fragment unit: a view, not a copy. */
    static ByteBuf body(ByteBuf unit) {
        int at = unit.readerIndex();
        int skip = kind(unit) == INIT ? 3 + unit.getUnsignedShort(at + 1) : 1;
        return unit.slice(at + skip, unit.readableBytes() - skip);
    }
}
