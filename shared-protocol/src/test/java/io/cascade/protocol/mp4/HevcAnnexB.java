package io.cascade.protocol.mp4;

import io.cascade.protocol.h264.BitReader;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h265.HevcSps;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helper: splits an H.265 Annex B stream into access units and builds the HEVCDecoderConfigurationRecord for it. */
final class HevcAnnexB {
    private static final int VPS = 32;
    private static final int SPS = 33;
    private static final int PPS = 34;
    private static final int AUD = 35;
    private static final int PREFIX_SEI = 39;

    private HevcAnnexB() {
    }

    static int type(byte[] nal) {
        return (nal[0] >> 1) & 0x3F;
    }

    /** NAL units grouped into access units by the rules of H.265 7.4.2.4.4 (first slice of a picture, or a non-VCL prefix). */
    static List<List<byte[]>> accessUnits(byte[] stream) {
        List<List<byte[]>> units = new ArrayList<>();
        List<byte[]> current = new ArrayList<>();
        boolean currentHasPicture = false;
        for (byte[] nal : nalUnits(stream)) {
            int type = type(nal);
            boolean vcl = type < 32;
            boolean startsPicture = vcl && (nal[2] & 0x80) != 0; // first_slice_segment_in_pic_flag
            boolean prefix = type == VPS || type == SPS || type == PPS || type == AUD || type == PREFIX_SEI;
            if (currentHasPicture && (startsPicture || prefix)) {
                units.add(current);
                current = new ArrayList<>();
                currentHasPicture = false;
            }
            current.add(nal);
            currentHasPicture |= vcl;
        }
        if (!current.isEmpty()) {
            units.add(current);
        }
        return units;
    }

    /** NAL units between 00 00 01 start codes (a fourth leading zero belongs to the start code). */
    static List<byte[]> nalUnits(byte[] s) {
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i + 2 < s.length; i++) {
            if (s[i] == 0 && s[i + 1] == 0 && s[i + 2] == 1) {
                starts.add(i + 3);
                i += 2;
            }
        }
        List<byte[]> nals = new ArrayList<>();
        for (int k = 0; k < starts.size(); k++) {
            int from = starts.get(k);
            int to = k + 1 < starts.size() ? starts.get(k + 1) - 3 : s.length;
            while (to > from && s[to - 1] == 0) {
                to--; // trailing_zero_8bits and the leading zero of a 4-byte start code
            }
            nals.add(Arrays.copyOfRange(s, from, to));
        }
        return nals;
    }

    static boolean isIrap(List<byte[]> accessUnit) {
        for (byte[] nal : accessUnit) {
            if (type(nal) < 32) {
                return type(nal) >= 16 && type(nal) <= 23;
            }
        }
        return false;
    }

    /** The access unit as 4-byte-length-prefixed NAL units, parameter sets and AUDs left out (they are in the hvcC). */
    static byte[] sampleData(List<byte[]> accessUnit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] nal : accessUnit) {
            int type = type(nal);
            if (type >= VPS && type <= AUD) {
                continue;
            }
            out.write(nal.length >>> 24);
            out.write(nal.length >>> 16);
            out.write(nal.length >>> 8);
            out.write(nal.length);
            out.writeBytes(nal);
        }
        return out.toByteArray();
    }

    /** HEVCDecoderConfigurationRecord (14496-15 8.3.3.1) from the VPS, SPS and PPS of the first access unit. */
    static byte[] configRecord(List<byte[]> firstAccessUnit, int nalLengthSize) throws BitstreamException {
        byte[] vps = find(firstAccessUnit, VPS);
        byte[] sps = find(firstAccessUnit, SPS);
        byte[] pps = find(firstAccessUnit, PPS);
        HevcSps parsed = HevcSps.parse(sps, 0, sps.length);
        // general_profile_space .. general_level_idc: the 12 bytes after the NAL header and the sub-layer byte
        byte[] rbsp = BitReader.unescapeRbsp(sps, 0, sps.length, 15);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1); // configurationVersion
        out.write(rbsp, 3, 12);
        out.write(0xF0); // reserved | min_spatial_segmentation_idc 0
        out.write(0x00);
        out.write(0xFC); // reserved | parallelismType 0
        out.write(0xFC | parsed.chromaFormatIdc());
        out.write(0xF8 | parsed.bitDepthLuma() - 8);
        out.write(0xF8 | parsed.bitDepthChroma() - 8);
        out.write(0); // avgFrameRate
        out.write(0);
        out.write(1 << 3 | 1 << 2 | nalLengthSize - 1); // 1 temporal layer, temporalIdNested, lengthSizeMinusOne
        out.write(3); // numOfArrays
        for (byte[] nal : List.of(vps, sps, pps)) {
            out.write(0x80 | type(nal)); // array_completeness 1
            out.write(0);
            out.write(1);
            out.write(nal.length >>> 8);
            out.write(nal.length);
            out.writeBytes(nal);
        }
        return out.toByteArray();
    }

    private static byte[] find(List<byte[]> nals, int type) {
        return nals.stream().filter(n -> type(n) == type).findFirst()
                .orElseThrow(() -> new AssertionError("no NAL unit of type " + type));
    }
}
