package io.cascade.protocol.h264;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1). The parameter set arrays are shared, not copied: never write
 * them.
 *
 * <p>The optional High-profile extension (chroma format, bit depths, SPS extensions) is skipped on parse; {@link #encode()}
 * regenerates it from the first SPS for profiles 100, 110, 122 and 144 (with no SPS extensions).
 */
public record AvcDecoderConfig(int profileIdc, int profileCompatibility, int levelIdc, int nalLengthSize, List<byte[]> sps,
                               List<byte[]> pps) {
    /**
     * Most SPS or PPS units a record may carry. numOfSequenceParameterSets is 5 bits (at most 31); numOfPictureParameterSets
     * is 8 bits, but encoders send one of each (a few for MVC/SVC): 32 bounds the memory a hostile record can pin.
     */
    public static final int MAX_PARAMETER_SETS = 32;
    /** The sequenceParameterSetLength / pictureParameterSetLength fields are UI16: the syntax cannot express more. */
    public static final int MAX_PARAMETER_SET_LENGTH = 0xFFFF;
    /** Fixed part before the SPS array: version, profile, compatibility, level, lengthSizeMinusOne, numOfSPS. */
    private static final int HEADER_LENGTH = 6;
    /** Enough unescaped SPS bytes to reach bit_depth_chroma_minus8 (all fields before it are short). */
    private static final int SPS_HEADER_BYTES = 32;

    public AvcDecoderConfig {
        if (nalLengthSize != 1 && nalLengthSize != 2 && nalLengthSize != 4) {
            throw new IllegalArgumentException("NAL length size must be 1, 2 or 4: " + nalLengthSize);
        }
        sps = List.copyOf(sps);
        pps = List.copyOf(pps);
        if (sps.size() > 31 || pps.size() > MAX_PARAMETER_SETS) {
            throw new IllegalArgumentException("too many parameter sets");
        }
        for (byte[] p : sps) {
            checkSetLength(p.length);
        }
        for (byte[] p : pps) {
            checkSetLength(p.length);
        }
    }

    private static void checkSetLength(int n) {
        if (n < 1 || n > MAX_PARAMETER_SET_LENGTH) {
            throw new IllegalArgumentException("parameter set length " + n);
        }
    }

    public static AvcDecoderConfig parse(byte[] data, int offset, int length) throws BitstreamException {
        if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
            throw new BitstreamException("slice outside array");
        }
        if (length < HEADER_LENGTH + 1) {
            throw new BitstreamException("AVC configuration record too short: " + length);
        }
        int end = offset + length;
        int p = offset;
        int version = data[p++] & 0xFF;
        if (version != 1) {
            throw new BitstreamException("unsupported AVC configurationVersion " + version);
        }
        int profile = data[p++] & 0xFF;
        int compat = data[p++] & 0xFF;
        int level = data[p++] & 0xFF;
        int lengthSize = (data[p++] & 0x03) + 1;
        if (lengthSize == 3) {
            throw new BitstreamException("lengthSizeMinusOne 2 is not allowed");
        }
        int numSps = data[p++] & 0x1F;
        List<byte[]> sps = new ArrayList<>(numSps);
        p = readSets(data, p, end, numSps, sps, "SPS");
        if (end - p < 1) {
            throw new BitstreamException("truncated AVC configuration record: no PPS count");
        }
        int numPps = data[p++] & 0xFF;
        if (numPps > MAX_PARAMETER_SETS) {
            throw new BitstreamException("too many PPS: " + numPps);
        }
        List<byte[]> pps = new ArrayList<>(numPps);
        readSets(data, p, end, numPps, pps, "PPS");
        return new AvcDecoderConfig(profile, compat, level, lengthSize, sps, pps);
    }

    private static int readSets(byte[] data, int p, int end, int count, List<byte[]> out, String what)
            throws BitstreamException {
        for (int i = 0; i < count; i++) {
            if (end - p < 2) {
                throw new BitstreamException("truncated " + what + " length");
            }
            int n = (data[p] & 0xFF) << 8 | (data[p + 1] & 0xFF);
            p += 2;
            if (n == 0) {
                throw new BitstreamException("empty " + what);
            }
            if (n > end - p) {
                throw new BitstreamException(what + " length " + n + " beyond record (" + (end - p) + " left)");
            }
            out.add(java.util.Arrays.copyOfRange(data, p, p + n));
            p += n;
        }
        return p;
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.write(1);
        out.write(profileIdc);
        out.write(profileCompatibility);
        out.write(levelIdc);
        out.write(0xFC | (nalLengthSize - 1));
        out.write(0xE0 | sps.size());
        writeSets(out, sps);
        out.write(pps.size());
        writeSets(out, pps);
        if (profileIdc == 100 || profileIdc == 110 || profileIdc == 122 || profileIdc == 144) {
            int[] ext = highProfileFields();
            out.write(0xFC | ext[0]);
            out.write(0xF8 | ext[1]);
            out.write(0xF8 | ext[2]);
            out.write(0); // numOfSequenceParameterSetExt
        }
        return out.toByteArray();
    }

    private static void writeSets(ByteArrayOutputStream out, List<byte[]> sets) {
        for (byte[] s : sets) {
            out.write(s.length >> 8);
            out.write(s.length);
            out.write(s, 0, s.length);
        }
    }

    /** chroma_format_idc, bit_depth_luma_minus8, bit_depth_chroma_minus8 from the first SPS (4:2:0 8-bit if unreadable). */
    private int[] highProfileFields() {
        if (!sps.isEmpty()) {
            byte[] s = sps.get(0);
            byte[] rbsp = BitReader.unescapeRbsp(s, 0, s.length, SPS_HEADER_BYTES);
            try {
                BitReader r = new BitReader(rbsp, 0, rbsp.length);
                r.skip(8); // NAL header
                int profile = r.u(8);
                r.skip(16); // constraint flags, level_idc
                r.ue(); // seq_parameter_set_id
                if (hasChromaInfo(profile)) {
                    int chroma = r.ue();
                    if (chroma == 3) {
                        r.skip(1);
                    }
                    int luma = r.ue();
                    int chromaDepth = r.ue();
                    if (chroma <= 3 && luma <= 7 && chromaDepth <= 7) {
                        return new int[] {chroma, luma, chromaDepth};
                    }
                }
            } catch (BitstreamException e) {
                // fall through to the defaults
            }
        }
        return new int[] {1, 0, 0};
    }

    private static boolean hasChromaInfo(int profile) {
        switch (profile) {
            case 100: case 110: case 122: case 244: case 44: case 83: case 86: case 118: case 128: case 138: case 139:
            case 134: case 135:
                return true;
            default:
                return false;
        }
    }

    /** "avc1.PPCCLL" codec string for HLS/DASH (upper-case hex of profile, compatibility, level). */
    public String codecString() {
        return String.format("avc1.%02X%02X%02X", profileIdc, profileCompatibility, levelIdc);
    }
}
