package io.cascade.protocol.rtmp.frames;

import io.cascade.media.Codec;
import io.cascade.media.JsonMetadata;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.amf0.Amf0Exception;
import io.cascade.protocol.amf0.Amf0Json;
import io.cascade.protocol.amf0.Amf0Reader;
import io.cascade.protocol.amf0.Amf0Writer;
import io.cascade.protocol.flv.FlvAudio;
import io.cascade.protocol.flv.FlvException;
import io.cascade.protocol.flv.FlvTags;
import io.cascade.protocol.flv.FlvVideo;
import io.cascade.protocol.flv.PacketKind;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h264.NalUnits;
import io.cascade.protocol.h265.HevcDecoderConfig;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.message.MessageType;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Turns the audio, video and data messages of one RTMP publish into {@link MediaFrame}s with canonical payloads:
 * H.264/H.265 access units with 4-byte NAL lengths, raw AAC, config records as config frames, onMetaData as
 * AMF0, onTextData and onCuePoint as JSON data messages ({@link JsonMetadata}). A message that cannot become a
 * frame throws {@link SkippedFrameException} with the reason (damaged, or a codec we do not carry); the caller counts
 * and skips it and the publisher stays.
 *
 * <p>RTMP timestamps are 32-bit milliseconds; they are widened to 64 bits here so a stream may run past 49 days.
 */
public final class RtmpToFrames {
    public static final int VIDEO_TRACK = 0;
    public static final int AUDIO_TRACK = 1;
    public static final int DATA_TRACK = 2;
    /**
     * Script data forwarded to metadata subscribers as JSON ({@link Codec#JSON_METADATA}); players of the other
     * protocols do not get it. onMetaData goes on as AMF0, for every player.
     */
    public static final Set<String> JSON_FORWARDED = Set.of("onTextData", "onCuePoint");
    /** Metadata is a few hundred bytes in practice; anything larger is not metadata a player needs. */
    public static final int MAX_METADATA_BYTES = 64 << 10;
    private static final int TIMESCALE = 1000;

    /** A message inside a valid stream that is skipped, and why. */
    public static final class SkippedFrameException extends Exception {
        public enum Reason { DAMAGED, UNSUPPORTED_CODEC }

        private final Reason reason;

        SkippedFrameException(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private final TimestampWidener videoClock = new TimestampWidener();
    private final TimestampWidener audioClock = new TimestampWidener();
    private int nalLengthSize;
    private Codec videoCodec;
    private long sequence;

    /** Returns the frame for this message, or null when the message carries nothing a viewer needs. */
    public MediaFrame convert(RtmpMessage m) throws SkippedFrameException {
        try {
            return switch (m.typeId()) {
                case MessageType.VIDEO -> video(m);
                case MessageType.AUDIO -> audio(m);
                case MessageType.DATA_AMF0 -> data(m);
                default -> null;
            };
        } catch (FlvException | BitstreamException | Amf0Exception e) {
            throw damaged(MessageType.name(m.typeId()) + " at " + m.timestamp() + " ms: " + e.getMessage());
        }
    }


    private static SkippedFrameException damaged(String message) {
        return new SkippedFrameException(SkippedFrameException.Reason.DAMAGED, message);
    }

    private MediaFrame video(RtmpMessage m) throws FlvException, BitstreamException, SkippedFrameException {
        byte[] body = m.payload();
        if (body.length == 0) {
            return null; // some encoders send empty video messages as keep-alives
        }
        FlvVideo v = FlvTags.parseVideo(body, 0, body.length);
        long dts = videoClock.widen(m.timestamp());
        switch (v.kind()) {
            case CONFIG -> {
                nalLengthSize = v.codec() == Codec.H264
                        ? AvcDecoderConfig.parse(body, v.dataOffset(), v.dataLength()).nalLengthSize()
                        : HevcDecoderConfig.parse(body, v.dataOffset(), v.dataLength()).nalLengthSize();
                videoCodec = v.codec();
                byte[] record = Arrays.copyOfRange(body, v.dataOffset(), v.dataOffset() + v.dataLength());
                return frame(VIDEO_TRACK, v.codec(), dts, dts, MediaFrame.FLAG_CONFIG, record);
            }
            case FRAME -> {
                if (videoCodec == null || v.codec() != videoCodec) {
                    throw damaged(v.codec() + " frame before its sequence header");
                }
                byte[] au = NalUnits.toFourByteLengths(body, v.dataOffset(), v.dataLength(), nalLengthSize);
                return frame(VIDEO_TRACK, v.codec(), dts, dts + v.compositionTimeMs(),
                        v.keyframe() ? MediaFrame.FLAG_KEYFRAME : 0, au);
            }
            default -> {
                return null; // end of sequence, video info frames: nothing a viewer needs
            }
        }
    }

    private MediaFrame audio(RtmpMessage m) throws FlvException, SkippedFrameException {
        byte[] body = m.payload();
        if (body.length == 0) {
            return null;
        }
        FlvAudio a = FlvTags.parseAudio(body, 0, body.length);
        if (a.codec() == null) {
            throw new SkippedFrameException(SkippedFrameException.Reason.UNSUPPORTED_CODEC,
                    "FLV sound format " + a.soundFormat() + " is not carried, only AAC");
        }
        long dts = audioClock.widen(m.timestamp());
        byte[] data = Arrays.copyOfRange(body, a.dataOffset(), a.dataOffset() + a.dataLength());
        int flags = a.kind() == PacketKind.CONFIG ? MediaFrame.FLAG_CONFIG : 0;
        return frame(AUDIO_TRACK, a.codec(), dts, dts, flags, data);
    }

    private MediaFrame data(RtmpMessage m) throws Amf0Exception, SkippedFrameException {
        if (m.payload().length > MAX_METADATA_BYTES) {
            throw damaged("data message of " + m.payload().length + " bytes");
        }
        List<Object> values = Amf0Reader.readAll(m.payload(), 0, m.payload().length);
        int at = !values.isEmpty() && "@setDataFrame".equals(values.get(0)) ? 1 : 0;
        if (values.size() < at + 2 || !(values.get(at) instanceof String name)) {
            return null;
        }
        long dts = videoClock.current();
        if ("onMetaData".equals(name)) {
            byte[] amf = Amf0Writer.encode("onMetaData", values.get(at + 1));
            return frame(DATA_TRACK, Codec.AMF0_METADATA, dts, dts, 0, amf);
        }
        if (!JSON_FORWARDED.contains(name)) {
            return null; // other script data is not forwarded
        }
        byte[] json = JsonMetadata.payload(name, Amf0Json.toJson(values.get(at + 1), JsonMetadata.MAX_MESSAGE_BYTES));
        if (json.length > JsonMetadata.MAX_PAYLOAD_BYTES) {
            throw damaged(name + " of " + json.length + " bytes as JSON");
        }
        return frame(JsonMetadata.TRACK, Codec.JSON_METADATA, dts, dts, 0, json);
    }

    private MediaFrame frame(int track, Codec codec, long dts, long pts, int flags, byte[] payload) {
        return new MediaFrame(track, codec, dts, pts, TIMESCALE, flags, 0, sequence++, payload);
    }

    /** Extends 32-bit wrapping millisecond timestamps to a 64-bit timeline. */
    static final class TimestampWidener {
        private static final long WRAP = 1L << 32;
        private long epoch;
        private long last = -1;

        long widen(long ts32) {
            if (last >= 0 && ts32 < last && last - ts32 > WRAP / 2) {
                epoch += WRAP; // wrapped forward
            }
            last = ts32;
            return epoch + ts32;
        }

        long current() {
            return last < 0 ? 0 : epoch + last;
        }
    }
}
