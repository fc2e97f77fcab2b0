package io.cascade.protocol.ts;

import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.BitstreamException;

/**
 * The fixed ADTS header fields (ISO/IEC 14496-3 1.A.2.2) for one AudioSpecificConfig, and the 7-byte header (no CRC) that
 * precedes each raw AAC frame in stream type 0x0F.
 *
 * <p>ADTS has only a 2-bit profile (object types 1 to 4) and a 4-bit sampling frequency index. HE-AAC (object type 5) and
 * HE-AACv2 (29) are therefore written as their AAC core with the core sampling rate, and decoders find SBR/PS implicitly in
 * the frames (14496-3 1.6.5.2) - the way every TS muxer carries them ({@link AudioSpecificConfig#core}).
 */
record AdtsHeader(int profile, int samplingFrequencyIndex, int channelConfiguration) {
    static final int SIZE = 7;
    /** frame_length is 13 bits and includes the header. */
    static final int MAX_FRAME_LENGTH = (1 << 13) - 1;
    static final int MAX_RAW_FRAME_LENGTH = MAX_FRAME_LENGTH - SIZE;

    /** Reads the fields from an AudioSpecificConfig; IllegalArgumentException if ADTS cannot express it. */
    static AdtsHeader fromAudioSpecificConfig(byte[] asc) {
        try {
            int channels = AudioSpecificConfig.parse(asc, 0, asc.length).channelConfiguration();
            AudioSpecificConfig.Core core = AudioSpecificConfig.core(asc, 0, asc.length);
            if (core.objectType() < 1 || core.objectType() > 4) {
                throw new IllegalArgumentException("AAC audio object type " + core.objectType()
                        + " cannot be carried in ADTS (profile field holds types 1 to 4)");
            }
            if (channels == 0 || channels > 7) {
                // 0 would need the program_config_element repeated in-band, which an RTMP/MP4 raw frame does not have.
                throw new IllegalArgumentException("AAC channel configuration " + channels + " cannot be carried in ADTS");
            }
            int rateIndex = AudioSpecificConfig.samplingFrequencyIndex(core.sampleRate());
            if (rateIndex < 0) {
                throw new IllegalArgumentException("AAC sampling rate " + core.sampleRate()
                        + " has no ADTS sampling_frequency_index");
            }
            return new AdtsHeader(core.objectType() - 1, rateIndex, channels);
        } catch (BitstreamException e) {
            throw new IllegalArgumentException("unparseable AudioSpecificConfig: " + e.getMessage(), e);
        }
    }

    /** Writes the header for a raw frame of rawLength bytes at out[offset..offset+7). */
    void write(byte[] out, int offset, int rawLength) {
        if (rawLength < 0 || rawLength > MAX_RAW_FRAME_LENGTH) {
            throw new IllegalArgumentException("AAC frame of " + rawLength + " bytes exceeds the ADTS frame_length");
        }
        int frameLength = rawLength + SIZE;
        out[offset] = (byte) 0xFF; // syncword 0xFFF ...
        out[offset + 1] = (byte) 0xF1; // ... ID 0 (MPEG-4), layer 0, protection_absent 1 (no CRC)
        out[offset + 2] = (byte) (profile << 6 | samplingFrequencyIndex << 2 | channelConfiguration >> 2);
        // channel configuration low bits; original_copy, home, copyright bits 0; frame_length bits 12..11
        out[offset + 3] = (byte) ((channelConfiguration & 3) << 6 | frameLength >> 11);
        out[offset + 4] = (byte) (frameLength >> 3);
        // frame_length bits 2..0, adts_buffer_fullness 0x7FF ("variable bit rate"), one raw data block per frame
        out[offset + 5] = (byte) ((frameLength & 7) << 5 | 0x1F);
        out[offset + 6] = (byte) 0xFC;
    }
}
