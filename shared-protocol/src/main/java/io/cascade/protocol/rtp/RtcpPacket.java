package io.cascade.protocol.rtp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * RTCP packets (RFC 3550 section 6): the sender and receiver reports, source descriptions and BYE of a compound packet,
 * parsed into records; other types (APP, feedback, extended reports) are kept as their type and length only. A
 * receiver reads the sender report's NTP / RTP timestamp pair to place a stream on the wall clock, and a sender writes
 * its own reports with {@link #encodeCompound}.
 */
public sealed interface RtcpPacket permits RtcpPacket.SenderReport, RtcpPacket.ReceiverReport,
        RtcpPacket.SourceDescription, RtcpPacket.Bye, RtcpPacket.Other {
    int TYPE_SR = 200;
    int TYPE_RR = 201;
    int TYPE_SDES = 202;
    int TYPE_BYE = 203;
    int TYPE_APP = 204;
    /** SDES item type of the canonical name, the one item every compound packet carries. */
    int SDES_CNAME = 1;
    /**
     * Most packets accepted in one compound packet. A report, a description and a BYE make three; feedback adds a few.
     * 64 leaves room for any real sender while bounding the records a 64 KiB datagram of 4-byte packets could make.
     */
    int MAX_PACKETS_PER_COMPOUND = 64;
    /** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
    long NTP_UNIX_OFFSET_SECONDS = 2_208_988_800L;

    /** The RTCP packet type (200 SR ... 204 APP, 205/206 feedback, 207 XR). */
    int type();

    /** One reception report block: what the reporter received from source {@code ssrc}. */
    record ReportBlock(long ssrc, int fractionLost, int cumulativeLost, long extendedHighestSequence, long jitter,
                       long lastSenderReport, long delaySinceLastSenderReport) {
        /** Length of a block on the wire. */
        public static final int LENGTH = 24;

        public ReportBlock {
            if (fractionLost < 0 || fractionLost > 255 || cumulativeLost < -(1 << 23) || cumulativeLost >= 1 << 23) {
                throw new IllegalArgumentException("report block loss field out of range");
            }
        }

        void write(ByteArrayOutputStream out) {
            u32(out, ssrc);
            out.write(fractionLost);
            out.write(cumulativeLost >> 16);
            out.write(cumulativeLost >> 8);
            out.write(cumulativeLost);
            u32(out, extendedHighestSequence);
            u32(out, jitter);
            u32(out, lastSenderReport);
            u32(out, delaySinceLastSenderReport);
        }

        static ReportBlock read(byte[] d, int p) {
            int lost = (d[p + 5] & 0xFF) << 16 | (d[p + 6] & 0xFF) << 8 | (d[p + 7] & 0xFF);
            lost = lost << 8 >> 8; // sign-extend the 24-bit field
            return new ReportBlock(RtpPacket.readU32(d, p), d[p + 4] & 0xFF, lost, RtpPacket.readU32(d, p + 8),
                    RtpPacket.readU32(d, p + 12), RtpPacket.readU32(d, p + 16), RtpPacket.readU32(d, p + 20));
        }
    }

    /**
     * SR: the sender's wall clock ({@code ntpTimestamp}, 64-bit NTP format, seconds since 1900 in the upper half) at the
     * instant its media clock read {@code rtpTimestamp}, and what it has sent so far.
     */
    record SenderReport(long ssrc, long ntpTimestamp, long rtpTimestamp, long packetCount, long octetCount,
                        List<ReportBlock> reports) implements RtcpPacket {
        public SenderReport {
            reports = List.copyOf(reports);
            checkReportCount(reports);
        }

        @Override
        public int type() {
            return TYPE_SR;
        }
    }

    /** RR: a receiver's reception reports. */
    record ReceiverReport(long ssrc, List<ReportBlock> reports) implements RtcpPacket {
        public ReceiverReport {
            reports = List.copyOf(reports);
            checkReportCount(reports);
        }

        @Override
        public int type() {
            return TYPE_RR;
        }
    }

    /** One SDES item (type 1 CNAME, 2 NAME ... 8 PRIV) as text. */
    record SdesItem(int type, String text) {
    }

    /** The items describing one source. */
    record SdesChunk(long ssrc, List<SdesItem> items) {
        public SdesChunk {
            items = List.copyOf(items);
        }
    }

    /** SDES: descriptions of up to 31 sources. */
    record SourceDescription(List<SdesChunk> chunks) implements RtcpPacket {
        public SourceDescription {
            chunks = List.copyOf(chunks);
            if (chunks.size() > 31) {
                throw new IllegalArgumentException("more than 31 SDES chunks");
            }
        }

        @Override
        public int type() {
            return TYPE_SDES;
        }

        /** The CNAME given for {@code ssrc}, or null. */
        public String cname(long ssrc) {
            for (SdesChunk c : chunks) {
                if (c.ssrc() == ssrc) {
                    for (SdesItem i : c.items()) {
                        if (i.type() == SDES_CNAME) {
                            return i.text();
                        }
                    }
                }
            }
            return null;
        }
    }

    /** BYE: these sources leave, with an optional reason (empty when none was given). */
    record Bye(List<Long> ssrcs, String reason) implements RtcpPacket {
        public Bye {
            ssrcs = List.copyOf(ssrcs);
            if (ssrcs.size() > 31) {
                throw new IllegalArgumentException("more than 31 BYE sources");
            }
        }

        @Override
        public int type() {
            return TYPE_BYE;
        }
    }

    /** A packet of a type we do not read (APP, transport or payload feedback, XR...). */
    record Other(int type, int length) implements RtcpPacket {
    }

    private static void checkReportCount(List<ReportBlock> reports) {
        if (reports.size() > 31) {
            throw new IllegalArgumentException("more than 31 report blocks");
        }
    }

    /**
     * Parses a compound packet data[offset, offset+length): every packet must have version 2 and a length that ends
     * inside the datagram, the lengths must add up to the datagram exactly, and only the last packet may be padded.
     */
    static List<RtcpPacket> parseCompound(byte[] data, int offset, int length) throws RtpException {
        if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
            throw new RtpException("slice outside array");
        }
        if (length > RtpPacket.MAX_PACKET_LENGTH) {
            throw new RtpException("RTCP packet of " + length + " bytes exceeds " + RtpPacket.MAX_PACKET_LENGTH);
        }
        if (length == 0) {
            throw new RtpException("empty RTCP packet");
        }
        List<RtcpPacket> out = new ArrayList<>(3);
        int end = offset + length;
        int p = offset;
        while (p < end) {
            if (end - p < 4) {
                throw new RtpException("truncated RTCP header");
            }
            int b0 = data[p] & 0xFF;
            if (b0 >> 6 != RtpPacket.VERSION) {
                throw new RtpException("RTCP version " + (b0 >> 6));
            }
            int count = b0 & 0x1F;
            int type = data[p + 1] & 0xFF;
            int bytes = (((data[p + 2] & 0xFF) << 8 | (data[p + 3] & 0xFF)) + 1) * 4;
            if (bytes > end - p) {
                throw new RtpException("RTCP packet length " + bytes + " beyond the datagram (" + (end - p) + " left)");
            }
            int bodyEnd = p + bytes;
            if ((b0 & 0x20) != 0) {
                if (bodyEnd != end) {
                    throw new RtpException("padding on an RTCP packet that is not the last of its compound");
                }
                int pad = data[bodyEnd - 1] & 0xFF;
                if (pad == 0 || pad > bytes - 4) {
                    throw new RtpException("RTCP padding of " + pad + " bytes in a packet of " + bytes);
                }
                bodyEnd -= pad;
            }
            if (out.size() == MAX_PACKETS_PER_COMPOUND) {
                throw new RtpException("more than " + MAX_PACKETS_PER_COMPOUND + " packets in a compound RTCP packet");
            }
            out.add(parseOne(type, count, data, p + 4, bodyEnd, bytes));
            p += bytes;
        }
        return out;
    }

    /** Parses a compound packet: the whole of {@code data}. */
    static List<RtcpPacket> parseCompound(byte[] data) throws RtpException {
        return parseCompound(data, 0, data == null ? 0 : data.length);
    }

    private static RtcpPacket parseOne(int type, int count, byte[] d, int p, int end, int bytes) throws RtpException {
        switch (type) {
            case TYPE_SR -> {
                need(end - p, 24 + count * ReportBlock.LENGTH, "sender report");
                return new SenderReport(RtpPacket.readU32(d, p),
                        RtpPacket.readU32(d, p + 4) << 32 | RtpPacket.readU32(d, p + 8),
                        RtpPacket.readU32(d, p + 12), RtpPacket.readU32(d, p + 16), RtpPacket.readU32(d, p + 20),
                        blocks(d, p + 24, count));
            }
            case TYPE_RR -> {
                need(end - p, 4 + count * ReportBlock.LENGTH, "receiver report");
                return new ReceiverReport(RtpPacket.readU32(d, p), blocks(d, p + 4, count));
            }
            case TYPE_SDES -> {
                return sdes(d, p, end, count);
            }
            case TYPE_BYE -> {
                need(end - p, 4 * count, "BYE");
                List<Long> ssrcs = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    ssrcs.add(RtpPacket.readU32(d, p + 4 * i));
                }
                int q = p + 4 * count;
                String reason = "";
                if (q < end) {
                    int n = d[q] & 0xFF;
                    need(end - q - 1, n, "BYE reason");
                    reason = new String(d, q + 1, n, StandardCharsets.UTF_8);
                }
                return new Bye(ssrcs, reason);
            }
            default -> {
                return new Other(type, bytes);
            }
        }
    }

    private static void need(int have, int need, String what) throws RtpException {
        if (have < need) {
            throw new RtpException("truncated " + what + ": " + have + " bytes, " + need + " needed");
        }
    }

    private static List<ReportBlock> blocks(byte[] d, int p, int count) {
        List<ReportBlock> blocks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            blocks.add(ReportBlock.read(d, p + i * ReportBlock.LENGTH));
        }
        return blocks;
    }

    private static SourceDescription sdes(byte[] d, int p, int end, int count) throws RtpException {
        int base = p; // chunks start on 32-bit boundaries counted from here
        List<SdesChunk> chunks = new ArrayList<>(count);
        for (int c = 0; c < count; c++) {
            need(end - p, 4, "SDES chunk");
            long ssrc = RtpPacket.readU32(d, p);
            p += 4;
            List<SdesItem> items = new ArrayList<>(2);
            while (true) {
                need(end - p, 1, "SDES item list");
                int itemType = d[p] & 0xFF;
                if (itemType == 0) {
                    p = base + ((p - base + 4) & ~3); // the end marker and the null padding up to the next 32-bit boundary
                    break;
                }
                need(end - p, 2, "SDES item");
                int n = d[p + 1] & 0xFF;
                need(end - p - 2, n, "SDES item text");
                items.add(new SdesItem(itemType, new String(d, p + 2, n, StandardCharsets.UTF_8)));
                p += 2 + n;
            }
            chunks.add(new SdesChunk(ssrc, items));
        }
        return new SourceDescription(chunks);
    }

    /** Writes packets back to back as one compound packet (put a report first, as RFC 3550 asks). */
    static byte[] encodeCompound(List<? extends RtcpPacket> packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        for (RtcpPacket packet : packets) {
            encode(packet, out);
        }
        return out.toByteArray();
    }

    /**
     * A sender's compound report: an SR with the wall clock / media clock pair and what was sent, then an SDES with the
     * CNAME, as every compound packet must carry.
     */
    static byte[] encodeSenderReport(long ssrc, long ntpTimestamp, long rtpTimestamp, long packetCount, long octetCount,
                                     List<ReportBlock> reports, String cname) {
        return encodeCompound(List.of(new SenderReport(ssrc, ntpTimestamp, rtpTimestamp, packetCount, octetCount, reports),
                cnameOf(ssrc, cname)));
    }

    /**
     * A source's last compound packet (RFC 3550 6.6): its report ({@code report}, or an empty RR when it sent
     * nothing), the SDES with its CNAME, and a BYE with the reason; players take it as the end of that stream.
     */
    static byte[] encodeBye(long ssrc, SenderReport report, String cname, String reason) {
        RtcpPacket first = report != null ? report : new ReceiverReport(ssrc, List.of());
        return encodeCompound(List.of(first, cnameOf(ssrc, cname), new Bye(List.of(ssrc), reason)));
    }

    /** A receiver's compound report: an RR with its report blocks, then an SDES with the CNAME. */
    static byte[] encodeReceiverReport(long ssrc, List<ReportBlock> reports, String cname) {
        return encodeCompound(List.of(new ReceiverReport(ssrc, reports), cnameOf(ssrc, cname)));
    }

    private static SourceDescription cnameOf(long ssrc, String cname) {
        return new SourceDescription(List.of(new SdesChunk(ssrc, List.of(new SdesItem(SDES_CNAME, cname)))));
    }

    private static void encode(RtcpPacket packet, ByteArrayOutputStream out) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(64);
        int count;
        if (packet instanceof SenderReport sr) {
            u32(body, sr.ssrc());
            u32(body, sr.ntpTimestamp() >>> 32);
            u32(body, sr.ntpTimestamp());
            u32(body, sr.rtpTimestamp());
            u32(body, sr.packetCount());
            u32(body, sr.octetCount());
            sr.reports().forEach(b -> b.write(body));
            count = sr.reports().size();
        } else if (packet instanceof ReceiverReport rr) {
            u32(body, rr.ssrc());
            rr.reports().forEach(b -> b.write(body));
            count = rr.reports().size();
        } else if (packet instanceof SourceDescription sdes) {
            for (SdesChunk c : sdes.chunks()) {
                u32(body, c.ssrc());
                for (SdesItem i : c.items()) {
                    byte[] text = truncated(i.text());
                    body.write(i.type());
                    body.write(text.length);
                    body.write(text, 0, text.length);
                }
                body.write(0);
                while (body.size() % 4 != 0) {
                    body.write(0);
                }
            }
            count = sdes.chunks().size();
        } else if (packet instanceof Bye bye) {
            bye.ssrcs().forEach(s -> u32(body, s));
            if (!bye.reason().isEmpty()) {
                byte[] text = truncated(bye.reason());
                body.write(text.length);
                body.write(text, 0, text.length);
                while (body.size() % 4 != 0) {
                    body.write(0);
                }
            }
            count = bye.ssrcs().size();
        } else {
            throw new IllegalArgumentException("cannot write RTCP packet type " + packet.type());
        }
        int words = body.size() / 4;
        out.write(RtpPacket.VERSION << 6 | count);
        out.write(packet.type());
        out.write(words >> 8);
        out.write(words);
        out.write(body.toByteArray(), 0, body.size());
    }

    /** UTF-8 of text, cut to the 255 bytes an SDES item or BYE reason can hold. */
    private static byte[] truncated(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return b.length <= 255 ? b : Arrays.copyOf(b, 255);
    }

    private static void u32(ByteArrayOutputStream out, long v) {
        out.write((int) (v >>> 24));
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 8));
        out.write((int) v);
    }

    /** NTP timestamp (64-bit fixed point, seconds since 1900) of a Unix time in milliseconds. */
    static long ntpFromEpochMillis(long epochMillis) {
        long seconds = Math.floorDiv(epochMillis, 1000) + NTP_UNIX_OFFSET_SECONDS;
        long fraction = ((long) Math.floorMod(epochMillis, 1000) << 32) / 1000;
        return seconds << 32 | fraction;
    }

    /** Unix time in milliseconds of a 64-bit NTP timestamp (era 0: until 2036). */
    static long epochMillisFromNtp(long ntpTimestamp) {
        long seconds = (ntpTimestamp >>> 32) - NTP_UNIX_OFFSET_SECONDS;
        long millis = ((ntpTimestamp & 0xFFFFFFFFL) * 1000 + (1L << 31)) >>> 32; // to the nearest millisecond
        return seconds * 1000 + millis;
    }
}
