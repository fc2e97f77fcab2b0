package io.cascade.protocol.rtp.payload;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the H.264 and H.265 packetizers share: a NAL unit that fits goes alone in a packet, or, when aggregation is on,
 * together with the small NAL units next to it (parameter sets, SEI, AUD); one that does not fit is cut into
 * fragmentation units.
 */
abstract class NalPacketizer implements Packetizer {
    private final int maxPayload;
    private final boolean aggregate;

    NalPacketizer(int maxPayload, boolean aggregate) {
        this.maxPayload = Packetizer.checkMaxPayload(maxPayload);
        this.aggregate = aggregate;
    }

    @Override
    public final int maxPayload() {
        return maxPayload;
    }

    /** Bytes of the payload header of an aggregation packet (1 for STAP-A, 2 for AP). */
    abstract int aggregationHeaderLength();

    /** Bytes of the NAL header (1 for H.264, 2 for H.265). */
    abstract int nalHeaderLength();

    /** Writes the aggregation packet header for the NAL units nals[from, to). */
    abstract void aggregationHeader(ByteArrayOutputStream out, byte[] au, int[] nals, int from, int to);

    /** Writes the payload header and FU header of a fragment of the NAL at au[offset]. */
    abstract void fragmentHeader(ByteArrayOutputStream out, byte[] au, int offset, boolean start, boolean end);

    @Override
    public final List<byte[]> packetize(byte[] accessUnit) {
        // offset and length of each NAL unit; a prefix that does not fit ends the walk (the unit is canonical already)
        int[] nals = new int[16];
        int n = 0;
        int q = 0;
        while (accessUnit.length - q >= 4) {
            long len = (accessUnit[q] & 0xFFL) << 24 | (accessUnit[q + 1] & 0xFF) << 16 | (accessUnit[q + 2] & 0xFF) << 8
                    | (accessUnit[q + 3] & 0xFF);
            q += 4;
            if (len > accessUnit.length - q) {
                break;
            }
            if (len >= nalHeaderLength()) { // shorter ones carry no NAL header: nothing a receiver could use
                if (2 * n + 2 > nals.length) {
                    nals = Arrays.copyOf(nals, nals.length * 2);
                }
                nals[2 * n] = q;
                nals[2 * n + 1] = (int) len;
                n++;
            }
            q += (int) len;
        }
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        while (i < n) {
            int off = nals[2 * i];
            int len = nals[2 * i + 1];
            if (len > maxPayload) {
                fragments(out, accessUnit, off, len);
                i++;
                continue;
            }
            int j = i;
            int size = aggregationHeaderLength();
            if (aggregate) {
                while (j < n && nals[2 * j + 1] + 2 <= maxPayload - size) {
                    size += nals[2 * j + 1] + 2;
                    j++;
                }
            }
            if (j - i >= 2) {
                ByteArrayOutputStream p = new ByteArrayOutputStream(size);
                aggregationHeader(p, accessUnit, nals, i, j);
                for (int k = i; k < j; k++) {
                    int l = nals[2 * k + 1];
                    p.write(l >> 8);
                    p.write(l);
                    p.write(accessUnit, nals[2 * k], l);
                }
                out.add(p.toByteArray());
                i = j;
            } else {
                out.add(Arrays.copyOfRange(accessUnit, off, off + len));
                i++;
            }
        }
        return out;
    }

    private void fragments(List<byte[]> out, byte[] au, int off, int len) {
        int headers = nalHeaderLength() + 1; // payload header of a NAL header's size, then the FU header
        int chunk = maxPayload - headers;
        int p = off + nalHeaderLength();
        int end = off + len;
        while (p < end) {
            int take = Math.min(chunk, end - p);
            ByteArrayOutputStream f = new ByteArrayOutputStream(headers + take);
            fragmentHeader(f, au, off, p == off + nalHeaderLength(), p + take == end);
            f.write(au, p, take);
            out.add(f.toByteArray());
            p += take;
        }
    }
}
