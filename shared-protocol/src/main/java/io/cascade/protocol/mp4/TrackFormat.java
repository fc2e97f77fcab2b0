package io.cascade.protocol.mp4;

import io.cascade.media.Codec;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.AvcSps;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h265.HevcDecoderConfig;
import io.cascade.protocol.h265.HevcSps;
import java.util.Arrays;

/** What the init segment says about a track's codec: handler, sample entry, RFC 6381 string and picture size. */
sealed interface TrackFormat {
    /** hdlr handler_type: 'vide' or 'soun'. */
    String handlerType();

    String codecs();

    /** Decoded picture width in pixels; 0 for audio. */
    int width();

    int height();

    /** The one SampleEntry of stsd. */
    void writeSampleEntry(BoxWriter w);

    /** Parses the configuration; IllegalArgumentException (cause: the BitstreamException) if no init segment can use it. */
    static TrackFormat of(Codec codec, byte[] config) {
        try {
            switch (codec) {
                case H264:
                    return Video.avc(config);
                case H265:
                    return Video.hevc(config);
                case AAC:
                    return Aac.parse(config);
                default:
                    throw new IllegalArgumentException("no CMAF sample entry for " + codec);
            }
        } catch (BitstreamException e) {
            throw new IllegalArgumentException("bad " + codec + " decoder configuration: " + e.getMessage(), e);
        }
    }

    /**
     * VisualSampleEntry fields (14496-12 12.1.3) before the codec's configuration box. The resolutions are the fixed
     * 72 dpi, frame_count 1, compressorname empty and depth 0x0018 as the spec prescribes.
     */
    private static void writeVisualSampleEntryFields(BoxWriter w, int width, int height) {
        w.zeros(6).u16(1); // reserved, data_reference_index 1 (the only dref entry)
        w.zeros(2 + 2 + 12); // pre_defined, reserved, pre_defined[3]
        w.u16(width).u16(height);
        w.u32(0x00480000).u32(0x00480000); // horizresolution, vertresolution: 72 dpi
        w.u32(0); // reserved
        w.u16(1); // frame_count
        w.zeros(32); // compressorname: empty Pascal string
        w.u16(0x0018).u16(0xFFFF); // depth: colour without alpha; pre_defined -1
    }

    /**
     * H.264 'avc1' or H.265 'hvc1': the parameter sets live in the sample entry's configuration box (14496-15 5.4.2,
     * 8.4.1), so the record must carry them. The box is prepared once, with lengthSizeMinusOne 3: media segments
     * always carry 4-byte NAL lengths, whatever prefix the publisher used.
     */
    record Video(String entryType, String configBoxType, String codecs, int width, int height, byte[] configBox)
            implements TrackFormat {
        /** Byte of an HEVC record holding lengthSizeMinusOne in its low two bits (14496-15 8.3.3.1.2). */
        private static final int HEVC_LENGTH_SIZE_BYTE = 21;
        /** Fixed part of an HEVC record before the arrays. */
        private static final int HEVC_HEADER_LENGTH = 23;

        /**
         * avc1 from an AVCDecoderConfigurationRecord. Re-encoding also normalises it (trailing bytes dropped,
         * High-profile fields present), so every node writes the same avcC for the same parameter sets.
         */
        static Video avc(byte[] record) throws BitstreamException {
            AvcDecoderConfig config = AvcDecoderConfig.parse(record, 0, record.length);
            if (config.sps().isEmpty() || config.pps().isEmpty()) {
                throw new BitstreamException("avc1 needs an SPS and a PPS in the configuration record");
            }
            byte[] spsBytes = config.sps().get(0);
            AvcSps sps = AvcSps.parse(spsBytes, 0, spsBytes.length);
            byte[] avcC = new AvcDecoderConfig(config.profileIdc(), config.profileCompatibility(), config.levelIdc(), 4,
                    config.sps(), config.pps()).encode();
            return new Video("avc1", "avcC", config.codecString(), sps.width(), sps.height(), avcC);
        }

        /** hvc1 from an HEVCDecoderConfigurationRecord: the VPS, SPS and PPS must all be there. */
        static Video hevc(byte[] record) throws BitstreamException {
            HevcDecoderConfig config = HevcDecoderConfig.parse(record, 0, record.length);
            if (config.vps().isEmpty() || config.sps().isEmpty() || config.pps().isEmpty()) {
                throw new BitstreamException("hvc1 needs a VPS, an SPS and a PPS in the configuration record");
            }
            byte[] spsBytes = config.sps().get(0);
            HevcSps sps = HevcSps.parse(spsBytes, 0, spsBytes.length);
            return new Video("hvc1", "hvcC", config.codecString(), sps.width(), sps.height(),
                    hvcCWithFourByteLengths(record));
        }

        /**
         * The record up to the end of its last array (which HevcDecoderConfig.parse has checked), with
         * lengthSizeMinusOne set to 3. Trailing bytes after the arrays are dropped.
         */
        private static byte[] hvcCWithFourByteLengths(byte[] record) {
            int numArrays = record[HEVC_HEADER_LENGTH - 1] & 0xFF;
            int p = HEVC_HEADER_LENGTH;
            for (int a = 0; a < numArrays; a++) {
                int numNalus = (record[p + 1] & 0xFF) << 8 | (record[p + 2] & 0xFF);
                p += 3;
                for (int i = 0; i < numNalus; i++) {
                    p += 2 + ((record[p] & 0xFF) << 8 | (record[p + 1] & 0xFF));
                }
            }
            byte[] out = Arrays.copyOf(record, p);
            out[HEVC_LENGTH_SIZE_BYTE] = (byte) (out[HEVC_LENGTH_SIZE_BYTE] | 0x03);
            return out;
        }

        @Override
        public String handlerType() {
            return "vide";
        }

        @Override
        public void writeSampleEntry(BoxWriter w) {
            int entry = w.startBox(entryType);
            writeVisualSampleEntryFields(w, width, height);
            int box = w.startBox(configBoxType);
            w.bytes(configBox);
            w.endBox(box);
            w.endBox(entry);
        }
    }

    /** AAC 'mp4a' with an 'esds' carrying the AudioSpecificConfig as sent (14496-14 5.6, 14496-3 1.6). */
    record Aac(AudioSpecificConfig asc, byte[] raw) implements TrackFormat {
        /** objectTypeIndication of 14496-1 Table 5 for MPEG-4 Audio. */
        private static final int OBJECT_TYPE_MPEG4_AUDIO = 0x40;
        /** streamType 5 (AudioStream) in the high 6 bits, upStream 0, reserved 1. */
        private static final int STREAM_TYPE_AUDIO = 0x05 << 2 | 1;
        private static final int ES_DESCRIPTOR_TAG = 0x03;
        private static final int DECODER_CONFIG_DESCRIPTOR_TAG = 0x04;
        private static final int DECODER_SPECIFIC_INFO_TAG = 0x05;
        private static final int SL_CONFIG_DESCRIPTOR_TAG = 0x06;
        /** SLConfigDescriptor predefined 2: the value 14496-14 3.1.2 requires in MP4 files. */
        private static final int SL_PREDEFINED_MP4 = 0x02;

        static Aac parse(byte[] config) throws BitstreamException {
            return new Aac(AudioSpecificConfig.parse(config, 0, config.length), config);
        }

        @Override
        public String handlerType() {
            return "soun";
        }

        @Override
        public String codecs() {
            return asc.codecString();
        }

        @Override
        public int width() {
            return 0;
        }

        @Override
        public int height() {
            return 0;
        }

        @Override
        public void writeSampleEntry(BoxWriter w) {
            int entry = w.startBox("mp4a");
            w.zeros(6).u16(1); // reserved, data_reference_index 1
            w.zeros(8); // AudioSampleEntry version 0: reserved
            w.u16(channelCount()).u16(16); // channelcount, samplesize 16
            w.zeros(4); // pre_defined, reserved
            // samplerate is 16.16; a rate above 65535 cannot be written there and the decoder reads the ASC anyway
            int rate = asc.sampleRate();
            w.u32(rate <= 0xFFFF ? (long) rate << 16 : 0);
            writeEsds(w);
            w.endBox(entry);
        }

        /** ES_Descriptor > DecoderConfigDescriptor > DecoderSpecificInfo, then SLConfigDescriptor (14496-1 7.2.6). */
        private void writeEsds(BoxWriter w) {
            int specificInfoLength = raw.length;
            int decoderConfigLength = 13 + descriptorLength(specificInfoLength);
            int slConfigLength = 1;
            int esLength = 3 + descriptorLength(decoderConfigLength) + descriptorLength(slConfigLength);
            int esds = w.startFullBox("esds", 0, 0);
            descriptorHeader(w, ES_DESCRIPTOR_TAG, esLength);
            w.u16(0); // ES_ID: 0 in MP4 files (14496-14 3.1.2), the track is identified by the trak
            w.u8(0); // no stream dependence, URL or OCR stream
            descriptorHeader(w, DECODER_CONFIG_DESCRIPTOR_TAG, decoderConfigLength);
            w.u8(OBJECT_TYPE_MPEG4_AUDIO).u8(STREAM_TYPE_AUDIO);
            // bufferSizeDB, maxBitrate, avgBitrate: unknown when the init segment is written; 0 keeps it deterministic
            w.u24(0).u32(0).u32(0);
            descriptorHeader(w, DECODER_SPECIFIC_INFO_TAG, specificInfoLength);
            w.bytes(raw);
            descriptorHeader(w, SL_CONFIG_DESCRIPTOR_TAG, slConfigLength);
            w.u8(SL_PREDEFINED_MP4);
            w.endBox(esds);
        }

        /** Tag byte plus the expandable size (14496-1 8.3.3): 7 bits a byte, high bit set on all but the last. */
        private static void descriptorHeader(BoxWriter w, int tag, int length) {
            w.u8(tag);
            int bytes = sizeFieldLength(length);
            for (int i = bytes - 1; i > 0; i--) {
                w.u8(0x80 | (length >>> (7 * i)) & 0x7F);
            }
            w.u8(length & 0x7F);
        }

        /** Length of a whole descriptor (tag, size field, payload) with a payload of the given length. */
        private static int descriptorLength(int payloadLength) {
            return 1 + sizeFieldLength(payloadLength) + payloadLength;
        }

        private static int sizeFieldLength(int length) {
            int bytes = 1;
            while (length >>> (7 * bytes) != 0) {
                bytes++;
            }
            return bytes;
        }

        /**
         * channelcount for the sample entry from channelConfiguration (14496-3 Table 1.19); 0 (layout in a program config
         * element) and reserved values give 2, the customary value, since decoders take the layout from the ASC.
         */
        int channelCount() {
            switch (asc.channelConfiguration()) {
                case 1: case 2: case 3: case 4: case 5: case 6:
                    return asc.channelConfiguration();
                case 7: case 12: case 14:
                    return 8;
                case 11:
                    return 7;
                case 13:
                    return 24;
                default:
                    return 2;
            }
        }
    }
}
