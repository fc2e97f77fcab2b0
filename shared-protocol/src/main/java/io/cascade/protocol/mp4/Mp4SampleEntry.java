package io.cascade.protocol.mp4;

import io.cascade.media.Codec;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h265.HevcDecoderConfig;
import java.util.Arrays;

/**
 * The codec of a track from the first entry of its stsd (ISO/IEC 14496-12 8.5.2, 14496-15 5.4 and 8.4, 14496-14 5.6):
 * avc1/avc3 with avcC, hvc1/hev1 with hvcC, mp4a with esds holding an MPEG-4 audio AudioSpecificConfig. The record is
 * kept as the file has it (as a live publisher's sequence header is), and parsed once so a broken one fails at open.
 *
 * @param config        the decoder configuration record or AudioSpecificConfig, as a config frame carries it
 * @param nalLengthSize NAL length prefix size of the samples (1, 2 or 4); 0 for audio
 */
record Mp4SampleEntry(Codec codec, byte[] config, int nalLengthSize) {
    /**
     * VisualSampleEntry fields before its child boxes (14496-12 12.1.3): reserved and data_reference_index (8), then
     * pre_defined/reserved (16), width and height (4), resolutions (8), reserved (4), frame_count (2), compressorname
     * (32), depth and pre_defined (4).
     */
    static final int VISUAL_FIELDS_LENGTH = 78;
    /** AudioSampleEntry fields before its child boxes (14496-12 12.2.3), QuickTime version 0 layout too. */
    static final int AUDIO_FIELDS_LENGTH = 28;
    /** QuickTime SoundDescription versions 1 and 2 (MOV files) add these many bytes of fields before the children. */
    static final int QT_SOUND_V1_EXTRA = 16;
    static final int QT_SOUND_V2_EXTRA = 36;
    /** Largest decoder configuration kept: the limit the CMAF writer applies to the same record. */
    public static final int MAX_CONFIG_LENGTH = CmafTrack.MAX_DECODER_CONFIG_LENGTH;
    /** Descriptor nesting in esds is ES_Descriptor > DecoderConfigDescriptor > DecoderSpecificInfo: three levels. */
    private static final int TAG_ES = 3;
    private static final int TAG_DECODER_CONFIG = 4;
    private static final int TAG_DECODER_SPECIFIC = 5;
    /** objectTypeIndication of MPEG-4 audio, and of MPEG-2 AAC Main, LC and SSR (14496-1 Table 5): all carry an ASC. */
    private static final int OTI_MPEG4_AUDIO = 0x40;
    private static final int OTI_MPEG2_AAC_FIRST = 0x66;
    private static final int OTI_MPEG2_AAC_LAST = 0x68;

    private static final int AVC1 = Mp4Box.type("avc1");
    private static final int AVC3 = Mp4Box.type("avc3");
    private static final int HVC1 = Mp4Box.type("hvc1");
    private static final int HEV1 = Mp4Box.type("hev1");
    private static final int MP4A = Mp4Box.type("mp4a");
    private static final int AVCC = Mp4Box.type("avcC");
    private static final int HVCC = Mp4Box.type("hvcC");
    private static final int ESDS = Mp4Box.type("esds");
    /** QuickTime puts esds in a 'wave' box inside a version 1 sound description. */
    private static final int WAVE = Mp4Box.type("wave");

    /** The first sample entry of an stsd, or null when its codec is not one we play. */
    static Mp4SampleEntry parse(Mp4Box stsd) throws Mp4Exception {
        Mp4Box.Cursor c = stsd.cursor();
        c.skip(4); // version, flags
        if (c.u32() < 1) {
            return null;
        }
        Mp4Box entry = stsd.at(c.position());
        int t = entry.type();
        if (t == AVC1 || t == AVC3 || t == HVC1 || t == HEV1) {
            boolean avc = t == AVC1 || t == AVC3;
            Mp4Box record = entry.child(avc ? AVCC : HVCC, VISUAL_FIELDS_LENGTH);
            if (record == null) {
                throw new Mp4Exception(Mp4Box.typeName(t) + " sample entry without its " + (avc ? "avcC" : "hvcC"));
            }
            return video(avc ? Codec.H264 : Codec.H265, bytes(record));
        }
        if (t == MP4A) {
            return audio(entry);
        }
        return null;
    }

    private static Mp4SampleEntry video(Codec codec, byte[] record) throws Mp4Exception {
        try {
            int lengthSize = codec == Codec.H264
                    ? AvcDecoderConfig.parse(record, 0, record.length).nalLengthSize()
                    : HevcDecoderConfig.parse(record, 0, record.length).nalLengthSize();
            return new Mp4SampleEntry(codec, record, lengthSize);
        } catch (BitstreamException e) {
            throw new Mp4Exception("bad " + codec + " configuration record: " + e.getMessage(), e);
        }
    }

    private static Mp4SampleEntry audio(Mp4Box entry) throws Mp4Exception {
        Mp4Box.Cursor c = entry.cursor();
        c.skip(8); // reserved, data_reference_index
        int version = c.u16(); // reserved in ISO files, SoundDescription version in QuickTime
        int skip = AUDIO_FIELDS_LENGTH + (version == 1 ? QT_SOUND_V1_EXTRA : version == 2 ? QT_SOUND_V2_EXTRA : 0);
        Mp4Box esds = entry.child(ESDS, skip);
        if (esds == null) {
            Mp4Box wave = entry.child(WAVE, skip);
            esds = wave == null ? null : wave.child(ESDS);
        }
        if (esds == null) {
            throw new Mp4Exception("mp4a sample entry without esds");
        }
        byte[] asc = audioSpecificConfig(esds);
        if (asc == null) {
            return null; // MP3 or another audio codec behind mp4a: not played
        }
        try {
            AudioSpecificConfig.parse(asc, 0, asc.length);
        } catch (BitstreamException e) {
            throw new Mp4Exception("bad AudioSpecificConfig: " + e.getMessage(), e);
        }
        return new Mp4SampleEntry(Codec.AAC, asc, 0);
    }

    /** The DecoderSpecificInfo of an AAC esds (14496-1 7.2.6.5), null for another objectTypeIndication. */
    private static byte[] audioSpecificConfig(Mp4Box esds) throws Mp4Exception {
        Mp4Box.Cursor c = esds.cursor();
        c.skip(4); // version, flags
        expectTag(c, TAG_ES);
        c.skip(2); // ES_ID
        int flags = c.u8();
        if ((flags & 0x80) != 0) {
            c.skip(2); // dependsOn_ES_ID
        }
        if ((flags & 0x40) != 0) {
            c.skip(c.u8()); // URL
        }
        if ((flags & 0x20) != 0) {
            c.skip(2); // OCR_ES_Id
        }
        expectTag(c, TAG_DECODER_CONFIG);
        int objectType = c.u8();
        c.skip(12); // streamType, upStream, bufferSizeDB, maxBitrate, avgBitrate
        if (objectType != OTI_MPEG4_AUDIO && (objectType < OTI_MPEG2_AAC_FIRST || objectType > OTI_MPEG2_AAC_LAST)) {
            return null;
        }
        int length = expectTag(c, TAG_DECODER_SPECIFIC);
        if (length < 1 || length > MAX_CONFIG_LENGTH) {
            throw new Mp4Exception("DecoderSpecificInfo of " + length + " bytes");
        }
        int from = c.position();
        c.skip(length);
        return Arrays.copyOfRange(esds.buffer(), from, from + length);
    }

    /** Reads a descriptor's tag and its size (1 to 4 bytes of 7 bits each); returns the size. */
    private static int expectTag(Mp4Box.Cursor c, int tag) throws Mp4Exception {
        int got = c.u8();
        if (got != tag) {
            throw new Mp4Exception("esds: descriptor tag " + got + " where " + tag + " belongs");
        }
        int size = 0;
        for (int i = 0; i < 4; i++) {
            int b = c.u8();
            size = size << 7 | (b & 0x7F);
            if ((b & 0x80) == 0) {
                return size;
            }
        }
        throw new Mp4Exception("esds: descriptor size longer than 4 bytes");
    }

    private static byte[] bytes(Mp4Box box) throws Mp4Exception {
        int length = box.end() - box.start();
        if (length > MAX_CONFIG_LENGTH) {
            throw new Mp4Exception(Mp4Box.typeName(box.type()) + " of " + length + " bytes, more than "
                    + MAX_CONFIG_LENGTH);
        }
        return Arrays.copyOfRange(box.buffer(), box.start(), box.end());
    }
}
