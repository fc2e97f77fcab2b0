package io.cascade.protocol.flv;

import static io.cascade.protocol.flv.Hex.bytes;

import io.cascade.media.Codec;
import java.util.List;

/**
 * THE table of FLV / RTMP tag body vectors: drives the decode tests, the header builder checks and the fuzz seeds.
 * Bytes marked "ffmpeg" were cut from tags written by ffmpeg 5.1 (libx264 164, native aac, libx265 3.5 via mp4 hvcC);
 * enhanced RTMP wrappers are built by hand from the veovera enhanced RTMP spec around those real payloads.
 */
public final class FlvVectors {
    private FlvVectors() {
    }

    /** Expected parse of a video body; codec null for an enhanced command frame. */
    public record Video(String name, byte[] body, Codec codec, PacketKind kind, boolean keyframe, int cts, int dataOffset,
                        int dataLength) {
        @Override
        public String toString() {
            return name;
        }
    }

    public record Audio(String name, byte[] body, Codec codec, int soundFormat, PacketKind kind, int dataOffset,
                        int dataLength) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A body every parser must reject with FlvException. */
    public record Bad(String name, byte[] body, String messagePart) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** AVCDecoderConfigurationRecord written by ffmpeg libx264 for 1280x720 Main@3.1 (avc1.4D401F). */
    public static final String AVC_MAIN_720P_RECORD = "01 4D 40 1F FF E1 0019 674d401feca02802dd8088000003000800000301e078c18cb0"
            + " 01 0005 68ebe3cb20";
    /** HEVCDecoderConfigurationRecord from libx265 3.5 64x64 Main (mp4 hvcC), with its prefix SEI array dropped (3 arrays). */
    public static final String HEVC_64_RECORD = "01 01 60000000 900000000000 1e f000 fc fd f8 f8 0000 0f 03"
            + " a0 0001 0018 40010c01ffff01600000030090000003000003001e959409"
            + " a1 0001 0028 42010101600000030090000003000003001ea0208105965654a4c2f0168080000003008000000f04"
            + " a2 0001 0006 4401c073c089";
    /** One libx265 P-frame access unit: a single TRAIL_R (type 1) NAL with a 4-byte length. */
    public static final String HEVC_P_FRAME_AU = "0000000a 0201d011562032403a60";

    public static final List<Video> VIDEO = List.of(
            new Video("ffmpeg libx264 main 720p AVC sequence header",
                    bytes("17",                 // frame type 1 (key) | codec id 7 (AVC)
                          "00",                 // AVCPacketType 0: sequence header
                          "000000",             // composition time 0
                          AVC_MAIN_720P_RECORD), // AVCDecoderConfigurationRecord
                    Codec.H264, PacketKind.CONFIG, true, 0, 5, 41),
            new Video("ffmpeg libx264 high 64x64 AVC sequence header (with High profile extension)",
                    bytes("17", "00", "000000",
                          "01 64 00 0a",        // version 1, profile 100, compat 0, level 1.0
                          "ff e1",              // length size 4, 1 SPS
                          "0018 6764000aacd94426c044000003000400000300f03c489658",
                          "01 0006 68ebe0652c8b", // 1 PPS
                          "fd f8 f8 00"),       // chroma 4:2:0, 8 bit luma/chroma, 0 SPS ext
                    Codec.H264, PacketKind.CONFIG, true, 0, 5, 45),
            new Video("ffmpeg libx264 high 64x64 IDR NALU, cts 67 ms (SEI removed with filter_units)",
                    bytes("17",                 // key frame, AVC
                          "01",                 // AVCPacketType 1: NALU
                          "000043",             // composition time +67 ms (B-frames)
                          "0000006e",           // NAL length 110
                          "65888403ff6682f46560e285ed29447a25ebeb93fe356dce35cd490161622d8e385a0b2cc02087b585b5d44f91dad2"
                          + "3f0f75edb01807b9ffed9fc70affda8fc2b839b1d8d02f30b8d4bef51c733c42ecaedef62829bc3861850a776cf3"
                          + "b554bb91a761efb65453ff048d2adcb7b9"),
                    Codec.H264, PacketKind.FRAME, true, 67, 5, 114),
            new Video("ffmpeg libx264 high 64x64 P frame, cts 133 ms",
                    bytes("27",                 // frame type 2 (inter) | AVC
                          "01",                 // NALU
                          "000085",             // composition time +133 ms
                          "0000000f 419a236c7f8f8e8ff34cd34eb71790"),
                    Codec.H264, PacketKind.FRAME, false, 133, 5, 19),
            new Video("ffmpeg libx264 baseline 64x64 P frame, cts 0",
                    bytes("27", "01", "000000",
                          "00000018 419a228673d207ec0c08fd8ef118f78294055f58cdc97920"),
                    Codec.H264, PacketKind.FRAME, false, 0, 5, 28),
            new Video("negative composition time -1 ms (SI24 sign extension)",
                    bytes("27", "01", "ffffff", "00000001 09"),
                    Codec.H264, PacketKind.FRAME, false, -1, 5, 5),
            new Video("ffmpeg libx264 AVC end of sequence",
                    bytes("17", "02", "000000"),        // AVCPacketType 2: end of sequence
                    Codec.H264, PacketKind.END_OF_SEQUENCE, true, 0, 5, 0),
            new Video("legacy video info/command frame (frame type 5, AVC): start of seek",
                    bytes("57",                 // frame type 5 | AVC
                          "00"),                // UI8 command 0 instead of a payload
                    Codec.H264, PacketKind.OTHER, false, 0, 1, 1),
            new Video("enhanced RTMP hvc1 SequenceStart (libx265 hvcC)",
                    bytes("90",                 // IsExHeader | frame type 1 | packet type 0 SequenceStart
                          "68766331",           // FourCC 'hvc1'
                          HEVC_64_RECORD),
                    Codec.H265, PacketKind.CONFIG, true, 0, 5, 108),
            new Video("enhanced RTMP hvc1 CodedFrames P frame, cts 33 ms",
                    bytes("a1",                 // IsExHeader | frame type 2 | packet type 1 CodedFrames
                          "68766331",           // 'hvc1'
                          "000021",             // SI24 composition time +33
                          HEVC_P_FRAME_AU),
                    Codec.H265, PacketKind.FRAME, false, 33, 8, 14),
            new Video("enhanced RTMP hvc1 CodedFramesX key frame (no composition time)",
                    bytes("93",                 // IsExHeader | frame type 1 | packet type 3 CodedFramesX
                          "68766331",
                          HEVC_P_FRAME_AU),
                    Codec.H265, PacketKind.FRAME, true, 0, 5, 14),
            new Video("enhanced RTMP hvc1 SequenceEnd",
                    bytes("92", "68766331"),   // frame type 1 | packet type 2 SequenceEnd
                    Codec.H265, PacketKind.END_OF_SEQUENCE, true, 0, 5, 0),
            new Video("enhanced RTMP hvc1 Metadata (AMF0 colorInfo, empty object)",
                    bytes("94",                 // frame type 1 | packet type 4 Metadata
                          "68766331",
                          "02 0009 636f6c6f72496e666f", // AMF0 string "colorInfo"
                          "03 000009"),         // AMF0 empty object
                    Codec.H265, PacketKind.METADATA, true, 0, 5, 16),
            new Video("enhanced RTMP hvc1 MPEG2TSSequenceStart",
                    bytes("95", "68766331", "00"),
                    Codec.H265, PacketKind.OTHER, true, 0, 5, 1),
            new Video("enhanced RTMP avc1 CodedFrames P frame, cts 133 ms",
                    bytes("a1", "61766331",    // 'avc1'
                          "000085",
                          "0000000f 419a236c7f8f8e8ff34cd34eb71790"),
                    Codec.H264, PacketKind.FRAME, false, 133, 8, 19),
            new Video("enhanced RTMP v2 ModEx (TimestampOffsetNano 1 ns) then hvc1 CodedFrames",
                    bytes("97",                 // frame type 1 | packet type 7 ModEx
                          "03",                 // modExDataSize - 1 = 3
                          "00000001",           // 4 bytes of modExData (nanosecond offset 1)
                          "01",                 // modExType 0 TimestampOffsetNano | packet type 1 CodedFrames
                          "68766331", "000000",
                          HEVC_P_FRAME_AU),
                    Codec.H265, PacketKind.FRAME, true, 0, 14, 14),
            new Video("enhanced RTMP v2 command frame (frame type 5, no FourCC)",
                    bytes("d1",                 // IsExHeader | frame type 5 | packet type 1
                          "01"),                // VideoCommand 1
                    null, PacketKind.OTHER, false, 0, 1, 1),
            new Video("legacy codec id 12 HEVC sequence header (Chinese CDN / ffmpeg fork convention)",
                    bytes("1c",                 // key frame | codec id 12
                          "00", "000000",
                          HEVC_64_RECORD),
                    Codec.H265, PacketKind.CONFIG, true, 0, 5, 108),
            new Video("legacy codec id 12 HEVC P frame, cts 33 ms",
                    bytes("2c", "01", "000021", HEVC_P_FRAME_AU),
                    Codec.H265, PacketKind.FRAME, false, 33, 5, 14));

    public static final List<Audio> AUDIO = List.of(
            new Audio("ffmpeg aac LC 48kHz stereo ASC = 11 90",
                    bytes("af",                 // sound format 10 AAC | 44 kHz | 16 bit | stereo
                          "00",                 // AACPacketType 0: AudioSpecificConfig
                          "11 90",              // LC, 48 kHz, 2 channels
                          "56 e5 00"),          // sync extension 0x2b7: SBR not present
                    Codec.AAC, 10, PacketKind.CONFIG, 2, 5),
            new Audio("ffmpeg aac LC 44.1kHz mono ASC = 12 08",
                    bytes("af", "00", "12 08", "56 e5 00"),
                    Codec.AAC, 10, PacketKind.CONFIG, 2, 5),
            new Audio("ffmpeg aac 44.1kHz mono last raw frame",
                    bytes("af",
                          "01",                 // AACPacketType 1: raw
                          "011881b470"),
                    Codec.AAC, 10, PacketKind.FRAME, 2, 5),
            new Audio("MP3 frame (sound format 2): unsupported, codec null",
                    bytes("2f",                 // MP3 | 44 kHz | 16 bit | stereo
                          "fffb9064"),          // MPEG-1 layer III frame header
                    null, 2, PacketKind.FRAME, 1, 4),
            new Audio("enhanced RTMP audio mp4a SequenceStart",
                    bytes("90",                 // sound format 9 ExHeader | packet type 0 SequenceStart
                          "6d703461",           // FourCC 'mp4a'
                          "11 90"),
                    Codec.AAC, 9, PacketKind.CONFIG, 5, 2),
            new Audio("enhanced RTMP audio Opus CodedFrames: unsupported, codec null",
                    bytes("91", "4f707573",    // packet type 1, FourCC 'Opus'
                          "fc"),
                    null, 9, PacketKind.FRAME, 5, 1));

    public static final List<Bad> BAD_VIDEO = List.of(
            new Bad("empty video body", bytes(""), "empty"),
            new Bad("AVC header cut after byte 0", bytes("17"), "truncated"),
            new Bad("AVC header cut inside composition time", bytes("27 01 0000"), "truncated"),
            new Bad("unknown AVCPacketType 3", bytes("17 03 000000"), "AVCPacketType"),
            new Bad("Sorenson H.263 codec id 2", bytes("22 00"), "unsupported codec"),
            new Bad("reserved frame type 0", bytes("07 01 000000"), "frame type"),
            new Bad("enhanced av01 FourCC", bytes("91 61763031 000000 00"), "unsupported codec 'av01'"),
            new Bad("enhanced vp09 FourCC", bytes("90 76703039"), "unsupported codec 'vp09'"),
            new Bad("enhanced FourCC cut", bytes("91 6876"), "FourCC"),
            new Bad("enhanced CodedFrames cut in composition time", bytes("91 68766331 0000"), "composition"),
            new Bad("enhanced multitrack", bytes("96 00 68766331"), "multitrack"),
            new Bad("enhanced reserved packet type 15", bytes("9f 68766331"), "packet type"),
            new Bad("enhanced ModEx size cut", bytes("97"), "ModEx"),
            new Bad("enhanced ModEx data cut", bytes("97 03 0000"), "ModEx"),
            new Bad("enhanced ModEx 16-bit size cut", bytes("97 ff 00"), "ModEx"),
            new Bad("enhanced command frame without command", bytes("d1"), "command"));

    public static final List<Bad> BAD_AUDIO = List.of(
            new Bad("empty audio body", bytes(""), "empty"),
            new Bad("AAC header cut", bytes("af"), "truncated"),
            new Bad("unknown AACPacketType 2", bytes("af 02 00"), "AACPacketType"),
            new Bad("enhanced audio FourCC cut", bytes("90 6d70"), "FourCC"),
            new Bad("enhanced audio ModEx cut", bytes("97 05 00"), "ModEx"));
}
