package io.cascade.protocol.ts;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Test-only transport stream writer that can also write what a real muxer never should: any continuity counter, any
 * adaptation field, sections and PES packets of any length, split over packets as asked. Used to build the damaged and
 * unusual inputs of the demuxer tests.
 */
public final class TsBuilder {
    public static final int PACKET = 188;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<Integer, Integer> counters = new HashMap<>();

    /** Next continuity counter of pid (advances). */
    public int nextCc(int pid) {
        int cc = counters.getOrDefault(pid, 0);
        counters.put(pid, (cc + 1) & 0x0F);
        return cc;
    }

    /** Sets the counter the next packet of pid gets. */
    public TsBuilder cc(int pid, int cc) {
        counters.put(pid, cc & 0x0F);
        return this;
    }

    /**
     * One packet: header, then an adaptation field when adaptationFlags >= 0 (flags byte, then 0xFF stuffing to make the
     * payload fill the packet), then payload (at most 184 bytes; fewer is padded with adaptation stuffing).
     */
    public TsBuilder packet(int pid, boolean unitStart, int adaptationFlags, byte[] payload) {
        return packet(pid, unitStart, adaptationFlags, payload, nextCc(pid));
    }

    public TsBuilder packet(int pid, boolean unitStart, int adaptationFlags, byte[] payload, int cc) {
        if (payload.length > 184) {
            throw new IllegalArgumentException("payload of " + payload.length);
        }
        byte[] p = new byte[PACKET];
        boolean adaptation = adaptationFlags >= 0 || payload.length < 184;
        p[0] = 0x47;
        p[1] = (byte) ((unitStart ? 0x40 : 0) | pid >> 8);
        p[2] = (byte) pid;
        p[3] = (byte) ((adaptation ? 0x30 : 0x10) | (cc & 0x0F));
        int at = 4;
        if (adaptation) {
            int length = 184 - 1 - payload.length;
            if (length < 0) {
                throw new IllegalArgumentException("no room for an adaptation field");
            }
            p[at++] = (byte) length;
            if (length > 0) {
                p[at++] = (byte) Math.max(0, adaptationFlags);
                Arrays.fill(p, at, 4 + 1 + length, (byte) 0xFF);
                at = 4 + 1 + length;
            }
        }
        System.arraycopy(payload, 0, p, at, payload.length);
        return raw(p);
    }

    public TsBuilder raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** A PSI section after pointer_field 0, over as many packets as it takes. */
    public TsBuilder section(int pid, byte[] section) {
        byte[] data = new byte[section.length + 1];
        System.arraycopy(section, 0, data, 1, section.length);
        return units(pid, data, -1);
    }

    /** PAT and PMT of one program with these (stream_type, PID) pairs; PCR on the first stream. */
    public TsBuilder psi(int program, int pmtPid, int... typeAndPid) {
        section(0, pat(1, new int[] {program}, new int[] {pmtPid}));
        return section(pmtPid, pmt(program, typeAndPid.length > 1 ? typeAndPid[1] : 0x1FFF, typeAndPid));
    }

    /**
     * One PES: header with PTS (and DTS when dts >= 0 and differs), bounded PES_packet_length when bounded, cut into
     * packets; the first packet gets random_access_indicator when randomAccess.
     */
    public TsBuilder pes(int pid, int streamId, long pts, long dts, byte[] payload, boolean bounded, boolean randomAccess) {
        return units(pid, pesBytes(streamId, pts, dts, payload, bounded), randomAccess ? 0x40 : -1);
    }

    /** data over packets of pid: the first with payload_unit_start_indicator (and adaptation flags when >= 0). */
    public TsBuilder units(int pid, byte[] data, int firstFlags) {
        int p = 0;
        boolean first = true;
        do {
            int room = first && firstFlags >= 0 ? 182 : 184;
            int n = Math.min(room, data.length - p);
            packet(pid, first, first ? firstFlags : -1, Arrays.copyOfRange(data, p, p + n));
            p += n;
            first = false;
        } while (p < data.length);
        return this;
    }

    /** data over packets of pid without payload_unit_start_indicator: the rest of a PES or section. */
    public TsBuilder continuation(int pid, byte[] data) {
        for (int p = 0; p < data.length; p += 184) {
            packet(pid, false, -1, Arrays.copyOfRange(data, p, Math.min(data.length, p + 184)));
        }
        return this;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    public static byte[] pesBytes(int streamId, long pts, long dts, byte[] payload, boolean bounded) {
        boolean withPts = pts >= 0;
        boolean withDts = withPts && dts >= 0 && dts != pts;
        int headerData = withDts ? 10 : withPts ? 5 : 0;
        byte[] b = new byte[9 + headerData + payload.length];
        b[2] = 1;
        b[3] = (byte) streamId;
        int length = bounded ? 3 + headerData + payload.length : 0;
        if (length > 0xFFFF) {
            throw new IllegalArgumentException("bounded PES too long");
        }
        b[4] = (byte) (length >> 8);
        b[5] = (byte) length;
        b[6] = (byte) 0x80;
        b[7] = (byte) (withDts ? 0xC0 : withPts ? 0x80 : 0);
        b[8] = (byte) headerData;
        if (withPts) {
            timestamp(b, 9, withDts ? 3 : 2, pts);
        }
        if (withDts) {
            timestamp(b, 14, 1, dts);
        }
        System.arraycopy(payload, 0, b, 9 + headerData, payload.length);
        return b;
    }

    static void timestamp(byte[] b, int p, int prefix, long ts) {
        long t = ts & ((1L << 33) - 1);
        b[p] = (byte) (prefix << 4 | (int) (t >>> 29) & 0x0E | 1);
        b[p + 1] = (byte) (t >>> 22);
        b[p + 2] = (byte) ((t >>> 14) & 0xFE | 1);
        b[p + 3] = (byte) (t >>> 7);
        b[p + 4] = (byte) ((t << 1) & 0xFE | 1);
    }

    /** A PAT section listing programs[i] on pmtPids[i]. */
    public static byte[] pat(int transportStreamId, int[] programs, int[] pmtPids) {
        byte[] body = new byte[4 * programs.length];
        for (int i = 0; i < programs.length; i++) {
            body[4 * i] = (byte) (programs[i] >> 8);
            body[4 * i + 1] = (byte) programs[i];
            body[4 * i + 2] = (byte) (0xE0 | pmtPids[i] >> 8);
            body[4 * i + 3] = (byte) pmtPids[i];
        }
        return section(0x00, transportStreamId, 0, body);
    }

    /** A PMT section; typeAndPid holds (stream_type, PID) pairs, no descriptors. */
    public static byte[] pmt(int program, int pcrPid, int... typeAndPid) {
        byte[] body = new byte[4 + 5 * (typeAndPid.length / 2)];
        body[0] = (byte) (0xE0 | pcrPid >> 8);
        body[1] = (byte) pcrPid;
        body[2] = (byte) 0xF0;
        for (int i = 0; i < typeAndPid.length / 2; i++) {
            int at = 4 + 5 * i;
            body[at] = (byte) typeAndPid[2 * i];
            body[at + 1] = (byte) (0xE0 | typeAndPid[2 * i + 1] >> 8);
            body[at + 2] = (byte) typeAndPid[2 * i + 1];
            body[at + 3] = (byte) 0xF0;
        }
        return section(0x02, program, 0, body);
    }

    /** A long-syntax section: header, body, CRC_32 (section_length as the bytes say, whatever its size). */
    public static byte[] section(int tableId, int extension, int version, byte[] body) {
        int length = 5 + body.length + 4;
        byte[] s = new byte[3 + length];
        s[0] = (byte) tableId;
        s[1] = (byte) (0xB0 | (length >> 8) & 0x0F);
        s[2] = (byte) length;
        s[3] = (byte) (extension >> 8);
        s[4] = (byte) extension;
        s[5] = (byte) (0xC1 | (version & 0x1F) << 1);
        System.arraycopy(body, 0, s, 8, body.length);
        int crc = Crc32Mpeg2.compute(s, 0, s.length - 4);
        s[s.length - 4] = (byte) (crc >>> 24);
        s[s.length - 3] = (byte) (crc >>> 16);
        s[s.length - 2] = (byte) (crc >>> 8);
        s[s.length - 1] = (byte) crc;
        return s;
    }

    /** One ADTS frame (no CRC) around raw, with the given profile (object type - 1), frequency index and channels. */
    public static byte[] adts(int profile, int rateIndex, int channels, byte[] raw) {
        byte[] f = new byte[AdtsHeader.SIZE + raw.length];
        new AdtsHeader(profile, rateIndex, channels).write(f, 0, raw.length);
        System.arraycopy(raw, 0, f, AdtsHeader.SIZE, raw.length);
        return f;
    }

    /** Concatenation. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
