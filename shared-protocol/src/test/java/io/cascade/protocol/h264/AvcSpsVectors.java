package io.cascade.protocol.h264;

import static io.cascade.protocol.flv.Hex.bytes;

import java.util.List;

/** THE table of H.264 SPS vectors: drives the parser tests, the CMAF writer tests and fuzz seeds. */
public final class AvcSpsVectors {
    private AvcSpsVectors() {
    }

    public record Sps(String name, String hex, int profile, int level, int chroma, int bitDepth, boolean frameMbsOnly,
                      int width, int height) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * SPS NAL units from ffmpeg 5.1 libx264 (testsrc2, one frame, -f h264); width and height as ffprobe reports them for the
     * same stream.
     */
    public static final List<Sps> VALID = List.of(
            new Sps("AvcVectors main 720p", "674d401feca02802dd8088000003000800000301e078c18cb0",
                    77, 31, 1, 8, true, 1280, 720),
            new Sps("AvcVectors high 64x64", "6764000aacd94426c044000003000400000300f03c489658",
                    100, 10, 1, 8, true, 64, 64),
            new Sps("AvcVectors baseline 64x64", "6742c00ada109b0110000003001000000303c0f1226a",
                    66, 10, 1, 8, true, 64, 64),
            new Sps("high 1920x1080: 68 macroblock rows cropped by 8 lines",
                    "67640028acd940780227e5c044000003000400000300c83c60c658", 100, 40, 1, 8, true, 1920, 1080),
            new Sps("high 320x180: cropped by 12 lines", "6764000cacd941419f9f011000000300100000030320f1429960",
                    100, 12, 1, 8, true, 320, 180),
            new Sps("high 1920x1080 interlaced (frame_mbs_only_flag 0, crop counted in field rows)",
                    "67640028acd94078044fde0220000003002000000643e2c5b2c0", 100, 40, 1, 8, false, 1920, 1080),
            new Sps("high 4:4:4 322x182 with cqm=jvt scaling matrices (crop unit 1)",
                    "67f4000d919b282a33c7c5e022000003000200000300641e28532c", 244, 13, 3, 8, true, 322, 182),
            new Sps("high 4:2:2 10-bit 322x182 with cqm=jvt (crop unit 2x1)",
                    "677a000db6cd941519e222f011000003000100000300320f142996", 122, 13, 2, 10, true, 322, 182),
            new Sps("constrained baseline 176x144 (POC type 2)", "6742c00bd902c4ec0440000003004000000c83c50a92",
                    66, 11, 1, 8, true, 176, 144),
            new Sps("high 720x576 with VUI SAR 16:15: SAR is not applied",
                    "6764001eacd940b4126ffc0040003c40000003004000000c83c58b6580", 100, 30, 1, 8, true, 720, 576));

    /** SPSs every parser must reject with BitstreamException. */
    public static final List<byte[]> BAD = List.of(
            bytes(""),
            bytes("68ce3880"), // a PPS, not an SPS
            synthetic(100, 4, false, 0, 9, 9, true, null), // chroma_format_idc 4
            synthetic(100, 1, false, 3, 9, 9, true, null), // pic_order_cnt_type 3
            synthetic(100, 1, false, 0, AvcSps.MAX_DIMENSION_IN_MBS, 9, true, null), // too wide
            synthetic(100, 1, false, 0, 9, 600, false, null), // 1202 macroblock rows as fields
            synthetic(100, 1, false, 0, 9, 9, true, new int[] {40, 40, 0, 0}), // cropped to nothing
            synthetic(100, 1, false, 0, 9, 9, true, new int[] {0, 0, Integer.MAX_VALUE, Integer.MAX_VALUE}),
            bytes("6764000a", "0000000001")); // seq_parameter_set_id with 39 leading zero bits

    /** An SPS with the given fields (scaling matrices absent, no VUI); crop = {left, right, top, bottom} or null. */
    public static byte[] synthetic(int profile, int chroma, boolean separatePlanes, int pocType, int widthMbsMinus1,
                                   int heightMapUnitsMinus1, boolean frameMbsOnly, int[] crop) {
        SpsBitWriter w = new SpsBitWriter().u(8, 0x67).u(8, profile).u(8, 0).u(8, 40).ue(0);
        if (profile == 100 || profile == 244) {
            w.ue(chroma);
            if (chroma == 3) {
                w.u(1, separatePlanes ? 1 : 0);
            }
            w.ue(0).ue(0).u(1, 0).u(1, 0);
        }
        w.ue(0).ue(pocType);
        if (pocType == 0) {
            w.ue(2);
        } else if (pocType == 1) {
            w.u(1, 0).se(-5).se(7).ue(3).se(1).se(-2).se(100000);
        }
        w.ue(4).u(1, 0).ue(widthMbsMinus1).ue(heightMapUnitsMinus1).u(1, frameMbsOnly ? 1 : 0);
        if (!frameMbsOnly) {
            w.u(1, 0);
        }
        w.u(1, 1);
        if (crop == null) {
            w.u(1, 0);
        } else {
            w.u(1, 1);
            for (int c : crop) {
                w.ue(c);
            }
        }
        return w.u(1, 0).toNal(); // vui_parameters_present_flag 0
    }
}
