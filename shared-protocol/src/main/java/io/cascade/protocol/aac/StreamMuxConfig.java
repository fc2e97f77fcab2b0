package io.cascade.protocol.aac;

import io.cascade.protocol.h264.BitstreamException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The LATM StreamMuxConfig (ISO/IEC 14496-3 1.7.3) of audioMuxVersion 0 with one program and one layer, as MP4A-LATM
 * over RTP announces it in the SDP ({@code config=} hex, with {@code cpresent=0}). The AudioSpecificConfig inside it is
 * not byte-aligned and has no length: it is walked field by field (GASpecificConfig, error protection config and a
 * trailing SBR/PS sync extension) so that its exact bits can be cut out as the byte-aligned
 * {@link #audioSpecificConfig()} that config frames carry.
 *
 * <p>Refused: audioMuxVersion 1, several programs or layers, frame length types other than 0 (variable length AAC), a
 * channel configuration of 0 (program config element) and error protection configurations 2 and 3.
 */
public record StreamMuxConfig(int numSubFrames, byte[] audioSpecificConfig, AudioSpecificConfig config,
                              boolean otherDataPresent, long otherDataLengthBits, boolean crcCheckPresent) {
    /** Longest StreamMuxConfig accepted: the fields above are well under 64 bytes even with every option present. */
    public static final int MAX_LENGTH = 256;
    private static final int SYNC_EXTENSION_SBR = 0x2B7;
    private static final int SYNC_EXTENSION_PS = 0x548;

    public StreamMuxConfig {
        audioSpecificConfig = audioSpecificConfig.clone();
    }

    @Override
    public byte[] audioSpecificConfig() {
        return audioSpecificConfig.clone();
    }

    /** Parses the hex of an SDP {@code config=} parameter. */
    public static StreamMuxConfig parseHex(String hex) throws BitstreamException {
        if (hex == null || hex.length() > 2 * MAX_LENGTH || hex.length() % 2 != 0) {
            throw new BitstreamException("StreamMuxConfig hex of length " + (hex == null ? 0 : hex.length()));
        }
        byte[] b;
        try {
            b = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new BitstreamException("StreamMuxConfig is not hex: " + e.getMessage());
        }
        return parse(b, 0, b.length);
    }

    public static StreamMuxConfig parse(byte[] data, int offset, int length) throws BitstreamException {
        if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
            throw new BitstreamException("slice outside array");
        }
        if (length > MAX_LENGTH) {
            throw new BitstreamException("StreamMuxConfig of " + length + " bytes");
        }
        Bits r = new Bits(data, offset, length);
        if (r.u(1) != 0) {
            throw new BitstreamException("audioMuxVersion 1 is not supported");
        }
        r.u(1); // allStreamsSameTimeFraming: with one program and one layer it changes nothing
        int numSubFrames = r.u(6);
        if (r.u(4) != 0) {
            throw new BitstreamException("LATM with several programs is not supported");
        }
        if (r.u(3) != 0) {
            throw new BitstreamException("LATM with several layers is not supported");
        }
        int ascStart = r.pos;
        skipAudioSpecificConfig(r);
        byte[] asc = r.copy(ascStart, r.pos);
        AudioSpecificConfig config = AudioSpecificConfig.parse(asc, 0, asc.length);
        // GStreamer's rtpmp4apay ends the config a few bits into latmBufferFullness: the fields after the
        // AudioSpecificConfig read as zero past the end, as tolerant decoders do
        int frameLengthType = r.uOrZero(3);
        if (frameLengthType != 0) {
            throw new BitstreamException("LATM frameLengthType " + frameLengthType + " is not supported");
        }
        r.uOrZero(8); // latmBufferFullness
        boolean otherData = r.uOrZero(1) == 1;
        long otherBits = 0;
        if (otherData) {
            otherBits = r.uOrZero(8); // otherDataLenBits, 8 bits in audioMuxVersion 0
        }
        boolean crc = r.uOrZero(1) == 1;
        return new StreamMuxConfig(numSubFrames, asc, config, otherData, otherBits, crc);
    }

    /** Walks an AudioSpecificConfig in place, leaving the cursor just after it. */
    private static void skipAudioSpecificConfig(Bits r) throws BitstreamException {
        int aot = objectType(r);
        samplingFrequency(r);
        int channels = r.u(4);
        if (aot == 5 || aot == 29) {
            samplingFrequency(r);
            aot = objectType(r);
        }
        switch (aot) {
            case 1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23 -> gaSpecificConfig(r, aot, channels);
            default -> throw new BitstreamException("LATM audio object type " + aot + " is not supported");
        }
        if (aot >= 17 && aot <= 23) {
            int ep = r.u(2);
            if (ep == 2 || ep == 3) {
                throw new BitstreamException("epConfig " + ep + " is not supported");
            }
        }
        if (r.left() >= 16 && r.peek(11) == SYNC_EXTENSION_SBR) {
            r.u(11);
            int extension = objectType(r);
            if (extension == 5) {
                if (r.u(1) == 1) { // sbrPresentFlag
                    samplingFrequency(r);
                    if (r.left() >= 12 && r.peek(11) == SYNC_EXTENSION_PS) {
                        r.u(11);
                        r.u(1); // psPresentFlag
                    }
                }
            } else if (extension == 22) {
                if (r.u(1) == 1) {
                    samplingFrequency(r);
                }
                r.u(4); // extensionChannelConfiguration
            }
        }
    }

    private static void gaSpecificConfig(Bits r, int aot, int channels) throws BitstreamException {
        if (channels == 0) {
            throw new BitstreamException("channel configuration 0 (program config element) is not supported");
        }
        r.u(1); // frameLengthFlag
        if (r.u(1) == 1) { // dependsOnCoreCoder
            r.u(14); // coreCoderDelay
        }
        int extensionFlag = r.u(1);
        if (aot == 6 || aot == 20) {
            r.u(3); // layerNr
        }
        if (extensionFlag == 1) {
            if (aot == 22) {
                r.u(5); // numOfSubFrame
                r.u(11); // layer_length
            }
            if (aot == 17 || aot == 19 || aot == 20 || aot == 23) {
                r.u(3); // the three resilience flags
            }
            r.u(1); // extensionFlag3
        }
    }

    private static int objectType(Bits r) throws BitstreamException {
        int t = r.u(5);
        return t == 31 ? 32 + r.u(6) : t;
    }

    private static void samplingFrequency(Bits r) throws BitstreamException {
        if (r.u(4) == 15) {
            r.u(24);
        }
    }

    /** MSB-first bit cursor that can look ahead and cut out a bit range. */
    private static final class Bits {
        private final byte[] data;
        private final int start;
        private final int bits;
        private int pos;

        Bits(byte[] data, int offset, int length) {
            this.data = data;
            this.start = offset;
            this.bits = length * 8;
        }

        int left() {
            return bits - pos;
        }

        int u(int n) throws BitstreamException {
            int v = peek(n);
            pos += n;
            return v;
        }

        /** Reads n bits, those past the end as zeros. */
        int uOrZero(int n) throws BitstreamException {
            int have = Math.min(n, left());
            return u(have) << (n - have);
        }

        int peek(int n) throws BitstreamException {
            if (n > left()) {
                throw new BitstreamException("StreamMuxConfig cut off");
            }
            int v = 0;
            for (int i = pos; i < pos + n; i++) {
                v = v << 1 | (data[start + (i >>> 3)] >> (7 - (i & 7)) & 1);
            }
            return v;
        }

        /** Bits [from, to) as bytes, the last one padded with zero bits. */
        byte[] copy(int from, int to) {
            byte[] out = new byte[(to - from + 7) / 8];
            for (int i = from; i < to; i++) {
                if ((data[start + (i >>> 3)] >> (7 - (i & 7)) & 1) == 1) {
                    int j = i - from;
                    out[j >>> 3] |= (byte) (0x80 >>> (j & 7));
                }
            }
            return out;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamMuxConfig s && numSubFrames == s.numSubFrames
                && Arrays.equals(audioSpecificConfig, s.audioSpecificConfig) && config.equals(s.config)
                && otherDataPresent == s.otherDataPresent && otherDataLengthBits == s.otherDataLengthBits
                && crcCheckPresent == s.crcCheckPresent;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(audioSpecificConfig) * 31 + numSubFrames;
    }

    @Override
    public String toString() {
        return "StreamMuxConfig{subFrames=" + (numSubFrames + 1) + " asc=" + HexFormat.of().formatHex(audioSpecificConfig)
                + " " + config + '}';
    }
}
