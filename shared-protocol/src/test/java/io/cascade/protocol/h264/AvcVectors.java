package io.cascade.protocol.h264;

import static io.cascade.protocol.flv.Hex.bytes;

import java.util.List;

/** THE table of H.264 vectors (configuration records and access units): drives decode, encode and fuzz seeds. */
public final class AvcVectors {
    private AvcVectors() {
    }

    public record Config(String name, byte[] record, int profile, int compat, int level, int nalLengthSize, int numSps,
                         int numPps, String codecString) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** An access unit with lengthSize-byte NAL prefixes and its 4-byte-prefix form. */
    public record AccessUnit(String name, byte[] data, int lengthSize, byte[] fourByte, int[] nalTypes) {
        @Override
        public String toString() {
            return name;
        }
    }

    public record Bad(String name, byte[] data, int lengthSize) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static final List<Config> CONFIGS = List.of(
            new Config("ffmpeg libx264 main 720p AVC sequence header",
                    bytes("01",                 // configurationVersion
                          "4D 40 1F",           // profile 77 Main, compatibility 0x40, level 31
                          "FF",                 // reserved 111111 | lengthSizeMinusOne 3
                          "E1",                 // reserved 111 | 1 SPS
                          "0019 674d401feca02802dd8088000003000800000301e078c18cb0",
                          "01",                 // 1 PPS
                          "0005 68ebe3cb20"),
                    77, 0x40, 31, 4, 1, 1, "avc1.4D401F"),
            new Config("ffmpeg libx264 high 64x64 AVC sequence header (with High profile extension)",
                    bytes("01", "64 00 0a", "ff", "e1",
                          "0018 6764000aacd94426c044000003000400000300f03c489658",
                          "01", "0006 68ebe0652c8b",
                          "fd",                 // reserved | chroma_format_idc 1 (4:2:0)
                          "f8",                 // reserved | bit_depth_luma_minus8 0
                          "f8",                 // reserved | bit_depth_chroma_minus8 0
                          "00"),                // numOfSequenceParameterSetExt 0
                    100, 0, 10, 4, 1, 1, "avc1.64000A"),
            new Config("ffmpeg libx264 baseline 64x64 (ultrafast) AVC sequence header",
                    bytes("01", "42 c0 0a", "ff", "e1",
                          "0016 6742c00ada109b0110000003001000000303c0f1226a",
                          "01", "0005 68ce019720"),
                    66, 0xC0, 10, 4, 1, 1, "avc1.42C00A"),
            new Config("2-byte NAL lengths, 2 SPS, 2 PPS (synthetic)",
                    bytes("01", "42 c0 1e", "fd",  // lengthSizeMinusOne 1
                          "e2",                 // 2 SPS
                          "0004 6742c01e", "0004 6742c01f",
                          "02",                 // 2 PPS
                          "0002 68ce", "0002 68cf"),
                    66, 0xC0, 30, 2, 2, 2, "avc1.42C01E"));

    /** libx264 high 64x64 P frame: one non-IDR slice (type 1). */
    private static final String P_SLICE = "419a236c7f8f8e8ff34cd34eb71790";

    public static final List<AccessUnit> ACCESS_UNITS = List.of(
            new AccessUnit("ffmpeg libx264 P frame, 4-byte lengths",
                    bytes("0000000f", P_SLICE), 4, bytes("0000000f", P_SLICE), new int[] {1}),
            new AccessUnit("ffmpeg libx264 P frame re-prefixed with 2-byte lengths",
                    bytes("000f", P_SLICE), 2, bytes("0000000f", P_SLICE), new int[] {1}),
            new AccessUnit("ffmpeg libx264 P frame re-prefixed with 1-byte lengths, after an AUD",
                    bytes("02 09f0",            // AUD, primary_pic_type 7
                          "0f", P_SLICE),
                    1, bytes("00000002 09f0", "0000000f", P_SLICE), new int[] {9, 1}),
            new AccessUnit("empty access unit", bytes(""), 4, bytes(""), new int[] {}));

    public static final List<Bad> BAD_ACCESS_UNITS = List.of(
            new Bad("NAL length beyond payload", bytes("00000010", P_SLICE), 4),
            new Bad("NAL length 2^32-1 (no int overflow)", bytes("ffffffff 09f0"), 4),
            new Bad("zero-length NAL", bytes("00000000 0000000f", P_SLICE), 4),
            new Bad("truncated length prefix", bytes("0000000f", P_SLICE, "0000"), 4),
            new Bad("truncated 2-byte prefix", bytes("00"), 2),
            new Bad("lengthSize 3 is not allowed", bytes("00000f", P_SLICE), 3),
            new Bad("257 one-byte NALs", many(257), 1));

    public static final List<byte[]> BAD_CONFIGS = List.of(
            bytes(""),                                          // empty
            bytes("01 4d 40 1f ff"),                            // cut before the SPS count
            bytes("00 4d 40 1f ff e1 0002 6742 01 0001 68"),    // configurationVersion 0
            bytes("01 4d 40 1f fe e1 0002 6742 01 0001 68"),    // lengthSizeMinusOne 2 (3-byte lengths)
            bytes("01 4d 40 1f ff e1 00"),                      // cut inside the SPS length
            bytes("01 4d 40 1f ff e1 0019 674d40"),             // SPS length beyond data
            bytes("01 4d 40 1f ff e2 0002 6742"),               // SPS count 2 beyond data
            bytes("01 4d 40 1f ff e1 0000 01 0001 68"),         // zero-length SPS
            bytes("01 4d 40 1f ff e1 0002 6742"),               // no PPS count
            bytes("01 4d 40 1f ff e1 0002 6742 21"),            // PPS count 33 > MAX_PARAMETER_SETS
            bytes("01 4d 40 1f ff e1 0002 6742 01 0005 68"));   // PPS length beyond data

    /** n one-byte-prefixed one-byte NAL units (AUD-less filler NALs, type 12). */
    public static byte[] many(int n) {
        byte[] b = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            b[2 * i] = 1;
            b[2 * i + 1] = 0x0C;
        }
        return b;
    }
}
