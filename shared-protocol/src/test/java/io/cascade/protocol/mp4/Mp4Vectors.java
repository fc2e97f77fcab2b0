package io.cascade.protocol.mp4;

import io.cascade.media.Codec;
import io.cascade.protocol.aac.AacVectors;
import io.cascade.protocol.h264.AvcVectors;
import io.cascade.protocol.h265.HevcVectors;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny MP4 files built box by box for the reader's unit and fuzz tests (a few hundred bytes each; no media is
 * committed): a progressive file with an unplayed trak before the played ones, both chunk offset box kinds, a
 * constant and a listed sample size, composition offsets and sync samples; and fragmented files from the CMAF writer.
 */
final class Mp4Vectors {
    static final int VIDEO_TIMESCALE = 90_000;
    static final int AUDIO_TIMESCALE = 48_000;
    static final int VIDEO_DURATION = 3600;
    static final int AUDIO_DURATION = 1024;
    /** Video sample numbers (from 0) that are sync samples. */
    static final List<Integer> SYNC = List.of(0, 4);
    static final int VIDEO_SAMPLES = 7;
    static final int AUDIO_SAMPLES = 9;
    /** Every audio sample of the progressive file has this size (stsz sample_size). */
    static final int AUDIO_SAMPLE_SIZE = 6;

    private Mp4Vectors() {
    }

    /** One NAL unit with a {@code lengthSize}-byte length: IDR or non-IDR slice header bytes, then the sample number. */
    static byte[] videoSample(int i, int lengthSize) {
        byte[] nal = {(byte) (SYNC.contains(i) ? 0x65 : 0x41), (byte) 0x88, (byte) i, (byte) (i * 7)};
        byte[] out = new byte[lengthSize + nal.length];
        out[lengthSize - 1] = (byte) nal.length;
        System.arraycopy(nal, 0, out, lengthSize, nal.length);
        return out;
    }

    static byte[] audioSample(int i) {
        return new byte[] {0x21, 0x10, 0x04, (byte) i, 0x00, 0x1C};
    }

    /** Presentation minus decode time of video sample i: a B-frame pattern of offsets. */
    static int compositionOffset(int i) {
        return (i % 3 == 1 ? 2 : 1) * VIDEO_DURATION;
    }

    /**
     * ftyp, then moov and mdat in the order asked: a 'vide' trak of an unplayed codec (mp4v), an H.264 trak with
     * 2-byte NAL lengths and an AAC trak. Video chunks hold 2 samples (3 in the last), audio chunks 3.
     */
    static byte[] progressive(boolean moovFirst) {
        byte[] avc = AvcVectors.CONFIGS.get(3).record(); // 2-byte NAL lengths: the reader rewrites them
        ByteArrayOutputStream mdat = new ByteArrayOutputStream();
        List<Long> videoChunks = new ArrayList<>();
        List<Long> audioChunks = new ArrayList<>();
        int[] videoSizes = new int[VIDEO_SAMPLES];
        int v = 0;
        int a = 0;
        while (v < VIDEO_SAMPLES || a < AUDIO_SAMPLES) {
            if (v < VIDEO_SAMPLES) {
                videoChunks.add((long) mdat.size());
                int n = v == 4 ? 3 : 2;
                for (int k = 0; k < n && v < VIDEO_SAMPLES; k++, v++) {
                    byte[] s = videoSample(v, 2);
                    videoSizes[v] = s.length;
                    mdat.writeBytes(s);
                }
            }
            if (a < AUDIO_SAMPLES) {
                audioChunks.add((long) mdat.size());
                for (int k = 0; k < 3; k++, a++) {
                    mdat.writeBytes(audioSample(a));
                }
            }
        }
        byte[] ftyp = ftyp();
        int moovLength = moov(avc, videoSizes, videoChunks, audioChunks, 0).length;
        long mdatPayload = ftyp.length + (moovFirst ? moovLength : 0) + 8;
        byte[] moov = moov(avc, videoSizes, videoChunks, audioChunks, mdatPayload);
        BoxWriter w = new BoxWriter(ftyp.length + moov.length + mdat.size() + 8);
        w.bytes(ftyp);
        if (moovFirst) {
            w.bytes(moov);
        }
        int box = w.startBox("mdat");
        w.bytes(mdat.toByteArray());
        w.endBox(box);
        if (!moovFirst) {
            w.bytes(moov);
        }
        return w.toByteArray();
    }

    private static byte[] ftyp() {
        BoxWriter w = new BoxWriter(24);
        int box = w.startBox("ftyp");
        w.fourCc("isom").u32(512).fourCc("isom").fourCc("avc1");
        w.endBox(box);
        return w.toByteArray();
    }

    private static byte[] moov(byte[] avc, int[] videoSizes, List<Long> videoChunks, List<Long> audioChunks,
                               long base) {
        BoxWriter w = new BoxWriter(1024);
        int moov = w.startBox("moov");
        trak(w, 1, "vide", VIDEO_TIMESCALE, () -> visualEntry(w, "mp4v", null, null), () -> {
            stts(w, 1, VIDEO_DURATION);
            stsc(w, new long[][] {{1, 1, 1}});
            stsz(w, 0, new int[] {4});
            chunkOffsets(w, "stco", List.of(base));
        });
        trak(w, 2, "vide", VIDEO_TIMESCALE, () -> visualEntry(w, "avc1", "avcC", avc), () -> {
            stts(w, VIDEO_SAMPLES, VIDEO_DURATION);
            int ctts = w.startFullBox("ctts", 0, 0);
            w.u32(VIDEO_SAMPLES);
            for (int i = 0; i < VIDEO_SAMPLES; i++) {
                w.u32(1).u32(compositionOffset(i));
            }
            w.endBox(ctts);
            int stss = w.startFullBox("stss", 0, 0);
            w.u32(SYNC.size());
            SYNC.forEach(s -> w.u32(s + 1));
            w.endBox(stss);
            stsc(w, new long[][] {{1, 2, 1}, {3, 3, 1}, {4, 2, 1}});
            stsz(w, 0, videoSizes);
            chunkOffsets(w, "stco", videoChunks.stream().map(o -> o + base).toList());
        });
        trak(w, 3, "soun", AUDIO_TIMESCALE, () -> audioEntry(w, AacVectors.CONFIGS.get(0).data()), () -> {
            stts(w, AUDIO_SAMPLES, AUDIO_DURATION);
            stsc(w, new long[][] {{1, 3, 1}});
            stsz(w, AUDIO_SAMPLE_SIZE, new int[AUDIO_SAMPLES]);
            chunkOffsets(w, "co64", audioChunks.stream().map(o -> o + base).toList());
        });
        w.endBox(moov);
        return w.toByteArray();
    }

    private static void trak(BoxWriter w, int id, String handler, int timescale, Runnable entry, Runnable tables) {
        int trak = w.startBox("trak");
        int tkhd = w.startFullBox("tkhd", 0, 3);
        w.u32(0).u32(0).u32(id).u32(0).u32(0).zeros(8 + 8 + 36 + 8);
        w.endBox(tkhd);
        int mdia = w.startBox("mdia");
        int mdhd = w.startFullBox("mdhd", 0, 0);
        w.u32(0).u32(0).u32(timescale).u32(0).u16(0x55C4).u16(0);
        w.endBox(mdhd);
        int hdlr = w.startFullBox("hdlr", 0, 0);
        w.u32(0).fourCc(handler).zeros(12).u8(0);
        w.endBox(hdlr);
        int minf = w.startBox("minf");
        int stbl = w.startBox("stbl");
        int stsd = w.startFullBox("stsd", 0, 0);
        w.u32(1);
        entry.run();
        w.endBox(stsd);
        tables.run();
        w.endBox(stbl);
        w.endBox(minf);
        w.endBox(mdia);
        w.endBox(trak);
    }

    private static void visualEntry(BoxWriter w, String type, String configType, byte[] config) {
        int entry = w.startBox(type);
        w.zeros(6).u16(1).zeros(16).u16(64).u16(64).u32(0x480000).u32(0x480000).u32(0).u16(1).zeros(32)
                .u16(0x18).u16(0xFFFF);
        if (config != null) {
            int c = w.startBox(configType);
            w.bytes(config);
            w.endBox(c);
        }
        w.endBox(entry);
    }

    /** mp4a with an esds: ES_Descriptor > DecoderConfigDescriptor (MPEG-4 audio) > DecoderSpecificInfo, SLConfig. */
    private static void audioEntry(BoxWriter w, byte[] asc) {
        int entry = w.startBox("mp4a");
        w.zeros(6).u16(1).zeros(8).u16(2).u16(16).u16(0).u16(0).u32((long) AUDIO_TIMESCALE << 16);
        int esds = w.startFullBox("esds", 0, 0);
        w.u8(3).u8(3 + 2 + 13 + 2 + asc.length + 3).u16(1).u8(0);
        w.u8(4).u8(13 + 2 + asc.length).u8(0x40).u8(0x15).u24(0).u32(0).u32(0);
        w.u8(5).u8(asc.length).bytes(asc);
        w.u8(6).u8(1).u8(2);
        w.endBox(esds);
        w.endBox(entry);
    }

    private static void stts(BoxWriter w, int count, int delta) {
        int box = w.startFullBox("stts", 0, 0);
        w.u32(1).u32(count).u32(delta);
        w.endBox(box);
    }

    private static void stsc(BoxWriter w, long[][] runs) {
        int box = w.startFullBox("stsc", 0, 0);
        w.u32(runs.length);
        for (long[] r : runs) {
            w.u32(r[0]).u32(r[1]).u32(r[2]);
        }
        w.endBox(box);
    }

    private static void stsz(BoxWriter w, int constant, int[] sizes) {
        int box = w.startFullBox("stsz", 0, 0);
        w.u32(constant).u32(sizes.length);
        if (constant == 0) {
            for (int s : sizes) {
                w.u32(s);
            }
        }
        w.endBox(box);
    }

    private static void chunkOffsets(BoxWriter w, String type, List<Long> offsets) {
        int box = w.startFullBox(type, 0, 0);
        w.u32(offsets.size());
        for (long o : offsets) {
            if (type.equals("co64")) {
                w.u64(o);
            } else {
                w.u32(o);
            }
        }
        w.endBox(box);
    }

    /**
     * An init segment with an H.264 (or H.265) and an AAC track, then {@code fragments} fragments per track from the
     * CMAF writer, video then audio, each fragment starting with a sync sample.
     */
    static byte[] fragmented(Codec videoCodec, int fragments) {
        byte[] config = videoCodec == Codec.H264 ? AvcVectors.CONFIGS.get(2).record()
                : HevcVectors.CONFIGS.get(0).record();
        CmafTrack video = new CmafTrack(1, videoCodec, VIDEO_TIMESCALE, config);
        CmafTrack audio = new CmafTrack(2, Codec.AAC, AUDIO_TIMESCALE, AacVectors.CONFIGS.get(0).data());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(CmafWriter.initSegment(List.of(video, audio)));
        int perFragment = 3;
        for (int f = 0; f < fragments; f++) {
            List<CmafSample> v = new ArrayList<>();
            List<CmafSample> a = new ArrayList<>();
            for (int k = 0; k < perFragment; k++) {
                int i = f * perFragment + k;
                v.add(new CmafSample((long) i * VIDEO_DURATION, VIDEO_DURATION, compositionOffset(i), k == 0,
                        videoSample(k == 0 ? 0 : 1, 4)));
                a.add(new CmafSample((long) i * AUDIO_DURATION, AUDIO_DURATION, 0, true, audioSample(i)));
            }
            out.writeBytes(CmafWriter.fragment(video, 2L * f + 1, v));
            out.writeBytes(CmafWriter.fragment(audio, 2L * f + 2, a));
        }
        return out.toByteArray();
    }
}
