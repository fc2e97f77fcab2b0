package io.cascade.protocol.h265;

import static io.cascade.protocol.flv.Hex.bytes;

import io.cascade.protocol.h264.SpsBitWriter;
import java.util.List;

/** THE table of H.265 SPS vectors: drives the parser tests, the CMAF writer tests and fuzz seeds. */
public final class HevcSpsVectors {
    private HevcSpsVectors() {
    }

    public record Sps(String name, String hex, int profile, int level, int chroma, int bitDepth, int width, int height) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** SPS NAL units from ffmpeg 5.1 libx265 3.5 (testsrc2, -f hevc); width and height as ffprobe reports them. */
    public static final List<Sps> VALID = List.of(
            new Sps("HevcVectors Main 64x64",
                    "42010101600000030090000003000003001ea0208105965654a4c2f0168080000003008000000f04",
                    1, 30, 1, 8, 64, 64),
            new Sps("Main 1920x1080 (no conformance window: 1080 is a multiple of 8)",
                    "420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000c84",
                    1, 120, 1, 8, 1920, 1080),
            new Sps("Main 322x182 coded as 328x184, conformance window in chroma units",
                    "42010101600000030090000003000003003ca00a480b9c9596566924caf0168080000003008000000c84",
                    1, 60, 1, 8, 322, 182),
            new Sps("RExt 4:4:4 322x182 (window in luma units)",
                    "4201010408000003009e0800000300003c90014901739ef2cacd24995e02d0100000030010000003019080",
                    4, 60, 3, 8, 322, 182),
            new Sps("RExt 4:2:2 10-bit 322x180 (window 2x1)",
                    "4201010408000003009d0800000300003cb00a480b9c92b65959a4932bc05a020000030002000003003210",
                    4, 60, 2, 10, 322, 180),
            new Sps("Main 320x240 with two temporal sub-layers (reserved bits after the sub-layer flags)",
                    "42010201600000030090000003000003003c0000a00a080f1659598acd24995e02d0100000030010000003019080",
                    1, 60, 1, 8, 320, 240));

    /** SPSs every parser must reject with BitstreamException. */
    public static final List<byte[]> BAD = List.of(
            bytes(""),
            bytes("4201"),
            bytes("4401c073c089"), // a PPS
            synthetic(7, false, 1, false, 64, 64, null), // sps_max_sub_layers_minus1 7
            synthetic(0, false, 4, false, 64, 64, null), // chroma_format_idc 4
            synthetic(0, false, 1, false, 0, 64, null), // width 0
            synthetic(0, false, 1, false, 64, HevcSps.MAX_DIMENSION + 1, null),
            synthetic(0, false, 1, false, 64, 64, new int[] {16, 16, 0, 0}), // window leaves nothing
            synthetic(0, false, 1, false, 64, 64, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 0, 0}));

    /** An SPS up to the bit depths; window = {left, right, top, bottom} or null. */
    public static byte[] synthetic(int maxSubLayersMinus1, boolean subLayerInfo, int chroma, boolean separatePlanes,
                                   int width, int height, int[] window) {
        SpsBitWriter w = new SpsBitWriter().u(16, 0x4201).u(4, 0).u(3, maxSubLayersMinus1).u(1, 1);
        w.u(8, 0x01).u(32, 0x60000000L).u(32, 0x90000000L).u(16, 0).u(8, 93); // Main, level 3.1
        int subLayers = Math.min(maxSubLayersMinus1, 6);
        for (int i = 0; i < subLayers; i++) {
            w.u(2, subLayerInfo ? 3 : 0);
        }
        if (subLayers > 0) {
            w.u(2 * (8 - subLayers), 0);
        }
        for (int i = 0; i < subLayers && subLayerInfo; i++) {
            w.u(8, 0x01).u(32, 0x60000000L).u(32, 0x90000000L).u(16, 0).u(8, 90);
        }
        w.ue(0).ue(chroma);
        if (chroma == 3) {
            w.u(1, separatePlanes ? 1 : 0);
        }
        w.ue(width).ue(height);
        if (window == null) {
            w.u(1, 0);
        } else {
            w.u(1, 1);
            for (int c : window) {
                w.ue(c);
            }
        }
        return w.ue(0).ue(0).toNal();
    }
}
