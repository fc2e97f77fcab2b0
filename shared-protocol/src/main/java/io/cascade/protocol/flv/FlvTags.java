package io.cascade.protocol.flv;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;

/**
 * Parses and builds RTMP/FLV audio and video tag bodies (FLV spec v10.1 annex E.4.2/E.4.3, enhanced RTMP v1/v2).
 *
 * <p>Parsing never copies the payload: it returns offsets into the caller's array. Every malformed body, including an
 * (offset, length) slice outside the array, throws {@link FlvException}.
 */
public final class FlvTags {
    /** FLV DataSize is a UI24 and RTMP message length is 24 bits too: no tag body can be longer. */
    public static final int MAX_TAG_BODY_LENGTH = 0xFFFFFF;

    /** Smallest and largest SI24 composition time (milliseconds). */
    public static final int MIN_COMPOSITION_TIME = -0x800000;
    public static final int MAX_COMPOSITION_TIME = 0x7FFFFF;

    static final int FOURCC_AVC1 = fourCc('a', 'v', 'c', '1');
    static final int FOURCC_HVC1 = fourCc('h', 'v', 'c', '1');
    static final int FOURCC_MP4A = fourCc('m', 'p', '4', 'a');

    private static final byte[] NO_HEADER = new byte[0];
    private static final int FRAME_TYPE_KEY = 1;
    private static final int FRAME_TYPE_COMMAND = 5;
    private static final int CODEC_ID_AVC = 7;
    /** Non-standard legacy HEVC codec id (Chinese CDN / ffmpeg fork convention), same layout as AVC. */
    private static final int CODEC_ID_HEVC_LEGACY = 12;
    private static final int SOUND_FORMAT_EX_HEADER = 9;
    private static final int SOUND_FORMAT_AAC = 10;

    // enhanced RTMP VideoPacketType
    private static final int PT_SEQUENCE_START = 0;
    private static final int PT_CODED_FRAMES = 1;
    private static final int PT_SEQUENCE_END = 2;
    private static final int PT_CODED_FRAMES_X = 3;
    private static final int PT_METADATA = 4;
    private static final int PT_MPEG2TS_SEQUENCE_START = 5;
    private static final int PT_MULTITRACK = 6;
    private static final int PT_MOD_EX = 7;
    // enhanced RTMP AudioPacketType
    private static final int APT_SEQUENCE_START = 0;
    private static final int APT_CODED_FRAMES = 1;
    private static final int APT_SEQUENCE_END = 2;
    private static final int APT_MULTITRACK = 5;
    private static final int APT_MOD_EX = 7;

    private FlvTags() {
    }

    /**
     * Legacy FLV video (frame type&lt;&lt;4 | codec id; codec id 7 = AVC, with AVCPacketType and SI24 composition time) and
     * enhanced RTMP (bit 7 of byte 0 = IsExHeader, frame type in bits 4-6, packet type in bits 0-3: 0 SequenceStart,
     * 1 CodedFrames (with SI24 composition time), 2 SequenceEnd, 3 CodedFramesX (cts=0), 4 Metadata, 5 MPEG2TSSequenceStart
     * (kind OTHER), 7 ModEx (skipped); then FourCC 'avc1' -> H264, 'hvc1' -> H265, other FourCCs -> FlvException). Legacy
     * codec id 12 -> H265 with the AVC layout. Frame type 5 (video info / command frame) -> kind OTHER (codec null for an
     * enhanced command frame, which has no FourCC). keyframe = frame type 1. Multitrack (packet type 6) -> FlvException.
     */
    public static FlvVideo parseVideo(byte[] body, int offset, int length) throws FlvException {
        checkSlice(body, offset, length);
        if (length < 1) {
            throw new FlvException("empty video tag body");
        }
        int end = offset + length;
        int b0 = body[offset] & 0xFF;
        if ((b0 & 0x80) == 0) {
            return parseLegacyVideo(body, offset, end, b0);
        }
        int frameType = (b0 >> 4) & 0x07;
        checkFrameType(frameType);
        int packetType = b0 & 0x0F;
        int pos = offset + 1;
        while (packetType == PT_MOD_EX) {
            pos = skipModEx(body, pos, end);
            packetType = body[pos - 1] & 0x0F;
        }
        boolean keyframe = frameType == FRAME_TYPE_KEY;
        if (frameType == FRAME_TYPE_COMMAND && packetType != PT_METADATA) {
            // VideoCommand UI8 follows directly, no FourCC
            if (end - pos < 1) {
                throw new FlvException("truncated enhanced video command frame");
            }
            return new FlvVideo(null, PacketKind.OTHER, false, 0, pos, end - pos);
        }
        if (packetType == PT_MULTITRACK) {
            throw new FlvException("unsupported enhanced RTMP multitrack video");
        }
        if (end - pos < 4) {
            throw new FlvException("truncated enhanced video header: no FourCC");
        }
        int fourCc = readInt(body, pos);
        pos += 4;
        Codec codec;
        if (fourCc == FOURCC_AVC1) {
            codec = Codec.H264;
        } else if (fourCc == FOURCC_HVC1) {
            codec = Codec.H265;
        } else {
            throw new FlvException("unsupported codec " + fourCcName(fourCc));
        }
        switch (packetType) {
            case PT_SEQUENCE_START:
                return new FlvVideo(codec, PacketKind.CONFIG, keyframe, 0, pos, end - pos);
            case PT_CODED_FRAMES: {
                if (end - pos < 3) {
                    throw new FlvException("truncated enhanced video header: no composition time");
                }
                int cts = readSi24(body, pos);
                pos += 3;
                return new FlvVideo(codec, PacketKind.FRAME, keyframe, cts, pos, end - pos);
            }
            case PT_SEQUENCE_END:
                return new FlvVideo(codec, PacketKind.END_OF_SEQUENCE, keyframe, 0, pos, end - pos);
            case PT_CODED_FRAMES_X:
                return new FlvVideo(codec, PacketKind.FRAME, keyframe, 0, pos, end - pos);
            case PT_METADATA:
                return new FlvVideo(codec, PacketKind.METADATA, keyframe, 0, pos, end - pos);
            case PT_MPEG2TS_SEQUENCE_START:
                return new FlvVideo(codec, PacketKind.OTHER, keyframe, 0, pos, end - pos);
            default:
                throw new FlvException("reserved enhanced video packet type " + packetType);
        }
    }

    private static FlvVideo parseLegacyVideo(byte[] body, int offset, int end, int b0) throws FlvException {
        int frameType = b0 >> 4;
        checkFrameType(frameType);
        int codecId = b0 & 0x0F;
        Codec codec;
        if (codecId == CODEC_ID_AVC) {
            codec = Codec.H264;
        } else if (codecId == CODEC_ID_HEVC_LEGACY) {
            codec = Codec.H265;
        } else {
            throw new FlvException("unsupported codec id " + codecId);
        }
        if (frameType == FRAME_TYPE_COMMAND) {
            // a UI8 video info / command replaces the payload
            return new FlvVideo(codec, PacketKind.OTHER, false, 0, offset + 1, end - offset - 1);
        }
        if (end - offset < 5) {
            throw new FlvException("truncated AVC video header: " + (end - offset) + " bytes");
        }
        boolean keyframe = frameType == FRAME_TYPE_KEY;
        int packetType = body[offset + 1] & 0xFF;
        int cts = readSi24(body, offset + 2);
        int pos = offset + 5;
        switch (packetType) {
            case 0:
                return new FlvVideo(codec, PacketKind.CONFIG, keyframe, 0, pos, end - pos);
            case 1:
                return new FlvVideo(codec, PacketKind.FRAME, keyframe, cts, pos, end - pos);
            case 2:
                return new FlvVideo(codec, PacketKind.END_OF_SEQUENCE, keyframe, 0, pos, end - pos);
            default:
                throw new FlvException("unknown AVCPacketType " + packetType);
        }
    }

    /**
     * Legacy FLV audio: sound format 10 (AAC) with AACPacketType 0 config / 1 raw; other legacy sound formats -> codec null,
     * kind FRAME, data after byte 0. Enhanced RTMP audio (sound format 9): FourCC 'mp4a' -> AAC; other FourCCs and multitrack ->
     * codec null, kind OTHER.
     */
    public static FlvAudio parseAudio(byte[] body, int offset, int length) throws FlvException {
        checkSlice(body, offset, length);
        if (length < 1) {
            throw new FlvException("empty audio tag body");
        }
        int end = offset + length;
        int b0 = body[offset] & 0xFF;
        int soundFormat = b0 >> 4;
        if (soundFormat == SOUND_FORMAT_AAC) {
            if (length < 2) {
                throw new FlvException("truncated AAC audio header");
            }
            int packetType = body[offset + 1] & 0xFF;
            PacketKind kind;
            if (packetType == 0) {
                kind = PacketKind.CONFIG;
            } else if (packetType == 1) {
                kind = PacketKind.FRAME;
            } else {
                throw new FlvException("unknown AACPacketType " + packetType);
            }
            return new FlvAudio(Codec.AAC, soundFormat, kind, offset + 2, length - 2);
        }
        if (soundFormat != SOUND_FORMAT_EX_HEADER) {
            return new FlvAudio(null, soundFormat, PacketKind.FRAME, offset + 1, length - 1);
        }
        int packetType = b0 & 0x0F;
        int pos = offset + 1;
        while (packetType == APT_MOD_EX) {
            pos = skipModEx(body, pos, end);
            packetType = body[pos - 1] & 0x0F;
        }
        if (packetType == APT_MULTITRACK) {
            return new FlvAudio(null, soundFormat, PacketKind.OTHER, pos, end - pos);
        }
        if (end - pos < 4) {
            throw new FlvException("truncated enhanced audio header: no FourCC");
        }
        int fourCc = readInt(body, pos);
        pos += 4;
        Codec codec = fourCc == FOURCC_MP4A ? Codec.AAC : null;
        PacketKind kind;
        switch (packetType) {
            case APT_SEQUENCE_START:
                kind = PacketKind.CONFIG;
                break;
            case APT_CODED_FRAMES:
                kind = PacketKind.FRAME;
                break;
            case APT_SEQUENCE_END:
                kind = PacketKind.END_OF_SEQUENCE;
                break;
            default:
                kind = PacketKind.OTHER;
                break;
        }
        return new FlvAudio(codec, soundFormat, kind, pos, end - pos);
    }

    /**
     * Header bytes to put before a frame's payload so the pair is a valid RTMP video message body. H264 -> legacy AVC header
     * (5 bytes: 0x17/0x27, packet type 0 config / 1 NALU, SI24 cts). H265 -> enhanced RTMP header (ExHeader, frame type,
     * packet type SequenceStart for config else CodedFrames, 'hvc1', then SI24 cts for CodedFrames: 8 bytes; 5 for
     * SequenceStart). A config header is always a keyframe with composition time 0, whatever the arguments say.
     *
     * @throws IllegalArgumentException for a non-video codec or a composition time outside SI24
     */
    public static byte[] videoHeader(Codec codec, boolean config, boolean keyframe, int compositionTimeMs) {
        if (compositionTimeMs < MIN_COMPOSITION_TIME || compositionTimeMs > MAX_COMPOSITION_TIME) {
            throw new IllegalArgumentException("composition time outside SI24: " + compositionTimeMs);
        }
        int frameType = config || keyframe ? 1 : 2;
        int cts = config ? 0 : compositionTimeMs;
        if (codec == Codec.H264) {
            byte[] h = new byte[5];
            h[0] = (byte) (frameType << 4 | CODEC_ID_AVC);
            h[1] = (byte) (config ? 0 : 1);
            writeI24(h, 2, cts);
            return h;
        }
        if (codec == Codec.H265) {
            byte[] h = new byte[config ? 5 : 8];
            h[0] = (byte) (0x80 | frameType << 4 | (config ? PT_SEQUENCE_START : PT_CODED_FRAMES));
            writeInt(h, 1, FOURCC_HVC1);
            if (!config) {
                writeI24(h, 5, cts);
            }
            return h;
        }
        throw new IllegalArgumentException("not an FLV video codec: " + codec);
    }

    /**
     * AAC: 2 bytes, 0xAF then 0 for config / 1 for raw. (0xAF = AAC, 44 kHz, 16 bit, stereo: the fixed flags FLV requires for
     * AAC; the real values come from the AudioSpecificConfig.)
     *
     * @throws IllegalArgumentException for a codec other than AAC
     */
    public static byte[] audioHeader(Codec codec, boolean config) {
        if (codec != Codec.AAC) {
            throw new IllegalArgumentException("not an FLV audio codec: " + codec);
        }
        return new byte[] {(byte) 0xAF, (byte) (config ? 0 : 1)};
    }

    /**
     * What goes before a frame's payload to make the body of its RTMP message or FLV tag: {@link #videoHeader} for
     * video (a config frame is a sequence header), {@link #audioHeader} for audio, nothing for script data (its payload
     * is the whole body). RTMP playback and HTTP-FLV build their bodies here, so both carry the same bytes.
     */
    public static byte[] bodyHeader(MediaFrame f) {
        return switch (f.trackType()) {
            case VIDEO -> videoHeader(f.codec(), f.isConfig(), f.isKeyframe() || f.isConfig(),
                    f.compositionOffsetMillis());
            case AUDIO -> audioHeader(f.codec(), f.isConfig());
            default -> NO_HEADER;
        };
    }

    /**
     * Bytes of an RTMP end-of-sequence video message for the codec: 0x17 0x02 00 00 00 for H264, enhanced RTMP
     * 0x92 'hvc1' (keyframe, SequenceEnd) for H265.
     *
     * @throws IllegalArgumentException for a non-video codec
     */
    public static byte[] endOfSequence(Codec codec) {
        if (codec == Codec.H264) {
            return new byte[] {0x17, 0x02, 0, 0, 0};
        }
        if (codec == Codec.H265) {
            byte[] h = new byte[5];
            h[0] = (byte) (0x80 | 1 << 4 | PT_SEQUENCE_END);
            writeInt(h, 1, FOURCC_HVC1);
            return h;
        }
        throw new IllegalArgumentException("not an FLV video codec: " + codec);
    }

    /** Skips one enhanced RTMP ModEx block starting at pos; returns the position after its (modExType, packetType) byte. */
    private static int skipModEx(byte[] body, int pos, int end) throws FlvException {
        if (end - pos < 1) {
            throw new FlvException("truncated ModEx");
        }
        int size = (body[pos++] & 0xFF) + 1;
        if (size == 256) {
            if (end - pos < 2) {
                throw new FlvException("truncated ModEx size");
            }
            size = ((body[pos] & 0xFF) << 8 | (body[pos + 1] & 0xFF)) + 1;
            pos += 2;
        }
        if (end - pos < size + 1) {
            throw new FlvException("truncated ModEx data");
        }
        return pos + size + 1;
    }

    private static void checkFrameType(int frameType) throws FlvException {
        if (frameType < 1 || frameType > 5) {
            throw new FlvException("reserved video frame type " + frameType);
        }
    }

    private static void checkSlice(byte[] body, int offset, int length) throws FlvException {
        if (body == null) {
            throw new FlvException("no tag body");
        }
        if (offset < 0 || length < 0 || offset > body.length - length) {
            throw new FlvException("tag body slice [" + offset + ", +" + length + ") outside array of " + body.length);
        }
        if (length > MAX_TAG_BODY_LENGTH) {
            throw new FlvException("tag body longer than the 24-bit FLV/RTMP limit: " + length);
        }
    }

    static int fourCc(char a, char b, char c, char d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    private static String fourCcName(int v) {
        StringBuilder sb = new StringBuilder(6).append('\'');
        for (int shift = 24; shift >= 0; shift -= 8) {
            int ch = (v >>> shift) & 0xFF;
            sb.append(ch >= 0x20 && ch < 0x7F ? (char) ch : '?');
        }
        return sb.append('\'').toString();
    }

    private static int readInt(byte[] b, int p) {
        return (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
    }

    private static int readSi24(byte[] b, int p) {
        int v = (b[p] & 0xFF) << 16 | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF);
        return (v << 8) >> 8;
    }

    private static void writeInt(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
    }

    private static void writeI24(byte[] b, int p, int v) {
        b[p] = (byte) (v >> 16);
        b[p + 1] = (byte) (v >> 8);
        b[p + 2] = (byte) v;
    }
}
