package io.cascade.protocol.ts;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-only MPEG-TS reader, written straight from ISO/IEC 13818-1 and independent of the writer's code (its own bitwise
 * CRC): it splits a segment into packets, checks their structure, and reassembles PSI sections and PES packets. Every
 * violation throws AssertionError with the packet index.
 */
final class TinyTsDemuxer {
    static final int PACKET_SIZE = 188;

    record Packet(int index, int pid, boolean unitStart, int cc, int adaptationLength, boolean discontinuity,
                  boolean randomAccess, long pcr27, int payloadOffset, int payloadLength) {
        boolean hasAdaptation() {
            return adaptationLength >= 0;
        }
    }

    /** A PES packet with its timestamps (-1 when absent) and what the first TS packet's adaptation field said. */
    record Pes(int pid, int streamId, int pesPacketLength, boolean dataAlignment, long pts, long dts, byte[] payload,
               boolean randomAccess, long pcr27, int packets) {
    }

    /** A PSI section (CRC already verified) with its table_id_extension and the bytes between the header and the CRC. */
    record Section(int pid, int tableId, int tableIdExtension, int version, byte[] body) {
    }

    record Result(List<Packet> packets, List<Section> sections, List<Pes> pes) {
        List<Pes> pes(int pid) {
            return pes.stream().filter(p -> p.pid() == pid).toList();
        }

        List<Packet> packets(int pid) {
            return packets.stream().filter(p -> p.pid() == pid).toList();
        }
    }

    private TinyTsDemuxer() {
    }

    /**
     * Parses a segment. Continuity counters must increase by one per packet on each PID, except on a packet with
     * discontinuity_indicator set; psiPids are the PIDs read as PSI (PAT and PMT), the others as PES.
     */
    static Result parse(byte[] ts, int... psiPids) {
        check(ts.length % PACKET_SIZE == 0, -1, "length " + ts.length + " is not a multiple of 188");
        List<Packet> packets = new ArrayList<>();
        List<Section> sections = new ArrayList<>();
        List<Pes> pes = new ArrayList<>();
        Map<Integer, Integer> lastCc = new LinkedHashMap<>();
        Map<Integer, PesBuilder> open = new LinkedHashMap<>();
        for (int i = 0; i < ts.length / PACKET_SIZE; i++) {
            int o = i * PACKET_SIZE;
            check((ts[o] & 0xFF) == 0x47, i, "sync byte");
            check((ts[o + 1] & 0x80) == 0, i, "transport_error_indicator");
            boolean unitStart = (ts[o + 1] & 0x40) != 0;
            int pid = (ts[o + 1] & 0x1F) << 8 | (ts[o + 2] & 0xFF);
            check((ts[o + 3] & 0xC0) == 0, i, "scrambled");
            int afc = (ts[o + 3] >> 4) & 3;
            check(afc == 1 || afc == 3, i, "every packet here has a payload (adaptation_field_control " + afc + ")");
            int cc = ts[o + 3] & 0x0F;
            int p = o + 4;
            int afLength = -1;
            boolean discontinuity = false;
            boolean rai = false;
            long pcr = -1;
            if (afc == 3) {
                afLength = ts[p] & 0xFF;
                check(afLength <= 182, i, "adaptation field length " + afLength + " leaves no payload");
                if (afLength > 0) {
                    int flags = ts[p + 1] & 0xFF;
                    discontinuity = (flags & 0x80) != 0;
                    rai = (flags & 0x40) != 0;
                    check((flags & 0x2F) == 0, i, "unexpected adaptation field flags " + flags);
                    int q = p + 2;
                    if ((flags & 0x10) != 0) {
                        check(afLength >= 7, i, "PCR does not fit the adaptation field");
                        long base = (ts[q] & 0xFFL) << 25 | (ts[q + 1] & 0xFF) << 17 | (ts[q + 2] & 0xFF) << 9
                                | (ts[q + 3] & 0xFF) << 1 | (ts[q + 4] & 0xFF) >> 7;
                        check((ts[q + 4] & 0x7E) == 0x7E, i, "PCR reserved bits");
                        int ext = (ts[q + 4] & 1) << 8 | (ts[q + 5] & 0xFF);
                        check(ext < 300, i, "PCR extension " + ext);
                        pcr = base * 300 + ext;
                        q += 6;
                    }
                    for (; q < p + 1 + afLength; q++) {
                        check((ts[q] & 0xFF) == 0xFF, i, "adaptation field stuffing byte is not 0xFF");
                    }
                }
                p += 1 + afLength;
            }
            Integer prev = lastCc.put(pid, cc);
            if (prev == null) {
                check(cc == 0, i, "first continuity_counter of PID " + pid + " is " + cc);
            } else if (!discontinuity) {
                check(cc == ((prev + 1) & 0x0F), i, "continuity_counter of PID " + pid + " went " + prev + " -> " + cc);
            }
            Packet packet = new Packet(i, pid, unitStart, cc, afLength, discontinuity, rai, pcr, p, o + PACKET_SIZE - p);
            packets.add(packet);
            if (contains(psiPids, pid)) {
                check(unitStart, i, "PSI packet without payload_unit_start_indicator (sections here fit one packet)");
                sections.add(section(ts, p, o + PACKET_SIZE, pid, i));
            } else {
                if (unitStart) {
                    PesBuilder done = open.remove(pid);
                    if (done != null) {
                        pes.add(done.build());
                    }
                    open.put(pid, new PesBuilder(packet));
                } else {
                    check(open.containsKey(pid), i, "PES continuation without a start on PID " + pid);
                }
                open.get(pid).add(ts, p, o + PACKET_SIZE - p);
            }
        }
        for (PesBuilder b : open.values()) {
            pes.add(b.build());
        }
        return new Result(packets, sections, pes);
    }

    private static Section section(byte[] ts, int p, int end, int pid, int index) {
        int pointer = ts[p] & 0xFF;
        int s = p + 1 + pointer;
        check(end - s >= 3, index, "section header cut");
        int tableId = ts[s] & 0xFF;
        check((ts[s + 1] & 0xC0) == 0x80, index, "section_syntax_indicator 1 and '0'");
        int length = (ts[s + 1] & 0x0F) << 8 | (ts[s + 2] & 0xFF);
        check(length <= 1021 && s + 3 + length <= end, index, "section_length " + length);
        check(crc(ts, s, 3 + length) == 0, index, "CRC_32 of the section");
        for (int q = s + 3 + length; q < end; q++) {
            check((ts[q] & 0xFF) == 0xFF, index, "stuffing after the section is not 0xFF");
        }
        int ext = (ts[s + 3] & 0xFF) << 8 | (ts[s + 4] & 0xFF);
        check((ts[s + 5] & 1) == 1, index, "current_next_indicator");
        check(ts[s + 6] == 0 && ts[s + 7] == 0, index, "single section");
        byte[] body = java.util.Arrays.copyOfRange(ts, s + 8, s + 3 + length - 4);
        return new Section(pid, tableId, ext, (ts[s + 5] >> 1) & 0x1F, body);
    }

    /** Bit-at-a-time CRC-32/MPEG-2, deliberately not the writer's table-driven one. */
    static int crc(byte[] b, int off, int len) {
        int crc = -1;
        for (int i = off; i < off + len; i++) {
            for (int bit = 7; bit >= 0; bit--) {
                boolean msb = ((crc >>> 31) ^ ((b[i] >> bit) & 1)) != 0;
                crc <<= 1;
                if (msb) {
                    crc ^= 0x04C11DB7;
                }
            }
        }
        return crc;
    }

    private static final class PesBuilder {
        private final Packet first;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int packets;

        PesBuilder(Packet first) {
            this.first = first;
        }

        void add(byte[] ts, int off, int len) {
            bytes.write(ts, off, len);
            packets++;
        }

        Pes build() {
            byte[] b = bytes.toByteArray();
            int i = first.index();
            check(b.length >= 9 && b[0] == 0 && b[1] == 0 && b[2] == 1, i, "packet_start_code_prefix");
            int streamId = b[3] & 0xFF;
            int length = (b[4] & 0xFF) << 8 | (b[5] & 0xFF);
            check((b[6] & 0xC0) == 0x80, i, "'10' after PES_packet_length");
            boolean alignment = (b[6] & 0x04) != 0;
            int ptsDts = (b[7] >> 6) & 3;
            check(ptsDts == 2 || ptsDts == 3, i, "PTS_DTS_flags " + ptsDts);
            check((b[7] & 0x3F) == 0, i, "no other optional PES fields");
            int headerLength = b[8] & 0xFF;
            check(headerLength == (ptsDts == 3 ? 10 : 5), i, "PES_header_data_length " + headerLength);
            long pts = timestamp(b, 9, ptsDts == 3 ? 3 : 2, i);
            long dts = ptsDts == 3 ? timestamp(b, 14, 1, i) : -1;
            int payloadStart = 9 + headerLength;
            if (length != 0) {
                check(length == b.length - 6, i, "PES_packet_length " + length + " but " + (b.length - 6) + " bytes");
            }
            byte[] payload = java.util.Arrays.copyOfRange(b, payloadStart, b.length);
            return new Pes(first.pid(), streamId, length, alignment, pts, dts, payload, first.randomAccess(),
                    first.pcr27(), packets);
        }
    }

    private static long timestamp(byte[] b, int p, int prefix, int index) {
        check((b[p] >> 4 & 0x0F) == prefix, index, "timestamp prefix");
        check((b[p] & 1) == 1 && (b[p + 2] & 1) == 1 && (b[p + 4] & 1) == 1, index, "timestamp marker bits");
        return (b[p] & 0x0EL) << 29 | (b[p + 1] & 0xFFL) << 22 | (b[p + 2] & 0xFEL) << 14 | (b[p + 3] & 0xFFL) << 7
                | (b[p + 4] & 0xFFL) >> 1;
    }

    /** Splits an Annex B byte stream at 4-byte start codes (the only kind the writer emits) into NAL units. */
    static List<byte[]> annexBNals(byte[] es) {
        List<byte[]> nals = new ArrayList<>();
        check(es.length >= 4 && es[0] == 0 && es[1] == 0 && es[2] == 0 && es[3] == 1, -1, "leading 4-byte start code");
        int start = 4;
        for (int i = 4; i + 4 <= es.length; i++) {
            if (es[i] == 0 && es[i + 1] == 0 && es[i + 2] == 0 && es[i + 3] == 1) {
                nals.add(java.util.Arrays.copyOfRange(es, start, i));
                start = i + 4;
                i += 3;
            }
        }
        nals.add(java.util.Arrays.copyOfRange(es, start, es.length));
        return nals;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private static void check(boolean ok, int packet, String what) {
        if (!ok) {
            throw new AssertionError((packet >= 0 ? "packet " + packet + ": " : "") + what);
        }
    }
}
