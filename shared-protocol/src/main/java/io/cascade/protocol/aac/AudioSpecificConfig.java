package io.cascade.protocol.aac;

import io.cascade.protocol.h264.BitReader;
import io.cascade.protocol.h264.BitstreamException;

/**
 * AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): audio object type (with escape 31), sampling frequency index (with the
 * explicit 24-bit rate for index 15) and channel configuration. For explicitly signalled SBR/PS (object type 5 or 29) the
 * object type stays 5/29 and sampleRate is the extension (output) rate. Trailing GASpecificConfig / extensions are ignored.
 */
public record AudioSpecificConfig(int objectType, int sampleRate, int channelConfiguration) {
    /** samplingFrequencyIndex 0..12 (13 and 14 are reserved, 15 means explicit). */
    private static final int[] SAMPLE_RATES = {
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350
    };
    /** Largest explicit sampling frequency we accept: 14496-3 rates stop at 96 kHz; 24-bit field allows up to 16 MHz. */
    public static final int MAX_SAMPLE_RATE = 192000;
    public static final int AOT_AAC_LC = 2;
    public static final int AOT_SBR = 5;
    public static final int AOT_PS = 29;

    public static AudioSpecificConfig parse(byte[] data, int offset, int length) throws BitstreamException {
        BitReader r = new BitReader(data, offset, length);
        int objectType = objectType(r);
        int rate = samplingFrequency(r);
        int channels = r.u(4);
        if (objectType == AOT_SBR || objectType == AOT_PS) {
            rate = samplingFrequency(r); // extensionSamplingFrequency
            objectType(r); // underlying core object type (read to validate)
        }
        return new AudioSpecificConfig(objectType, rate, channels);
    }

    /**
     * The AAC core of a configuration: for HE-AAC (SBR) and HE-AACv2 (PS) the underlying object type and its own
     * sampling rate, which is what ADTS can express; for every other type the type and rate themselves.
     */
    public record Core(int objectType, int sampleRate) {
    }

    public static Core core(byte[] data, int offset, int length) throws BitstreamException {
        BitReader r = new BitReader(data, offset, length);
        int objectType = objectType(r);
        int rate = samplingFrequency(r);
        r.u(4); // channelConfiguration
        if (objectType == AOT_SBR || objectType == AOT_PS) {
            samplingFrequency(r); // extensionSamplingFrequency: the output rate
            objectType = objectType(r);
        }
        return new Core(objectType, rate);
    }

    /** The 4-bit sampling_frequency_index of a rate (14496-3 Table 1.18), or -1 when the table has no such rate. */
    public static int samplingFrequencyIndex(int rate) {
        for (int i = 0; i < SAMPLE_RATES.length; i++) {
            if (SAMPLE_RATES[i] == rate) {
                return i;
            }
        }
        return -1;
    }

    private static int objectType(BitReader r) throws BitstreamException {
        int t = r.u(5);
        if (t == 31) {
            t = 32 + r.u(6);
        }
        if (t == 0) {
            throw new BitstreamException("audio object type 0 (null)");
        }
        return t;
    }

    private static int samplingFrequency(BitReader r) throws BitstreamException {
        int index = r.u(4);
        if (index == 15) {
            int rate = r.u(24);
            if (rate == 0 || rate > MAX_SAMPLE_RATE) {
                throw new BitstreamException("unsupported explicit sampling frequency " + rate);
            }
            return rate;
        }
        if (index >= SAMPLE_RATES.length) {
            throw new BitstreamException("reserved sampling frequency index " + index);
        }
        return SAMPLE_RATES[index];
    }

    /** "mp4a.40.N" (N = audio object type) for HLS/DASH. */
    public String codecString() {
        return "mp4a.40." + objectType;
    }

    /** PCM samples per access unit at {@link #sampleRate()}: 1024 for AAC-LC, 2048 at the doubled SBR output rate. */
    public int samplesPerFrame() {
        return objectType == AOT_SBR || objectType == AOT_PS ? 2048 : 1024;
    }

    /** Exact timestamp of frame number frameIndex (counted from 0) in the given timescale, rounded down: no drift. */
    public long frameTimestamp(long frameIndex, int timescale) {
        return Math.floorDiv(frameIndex * samplesPerFrame() * (long) timescale, sampleRate);
    }

    /** Duration of one frame in the given timescale, rounded down (use {@link #frameTimestamp} to avoid drift). */
    public long frameDuration(int timescale) {
        return (long) samplesPerFrame() * timescale / sampleRate;
    }
}
