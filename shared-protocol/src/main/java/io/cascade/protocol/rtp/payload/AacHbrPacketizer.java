package io.cascade.protocol.rtp.payload;

import java.util.ArrayList;
import java.util.List;

/**
 * AAC frames to mpeg4-generic AAC-hbr payloads (RFC 3640; sizeLength 13, indexLength 3, indexDeltaLength 3): one frame
 * per packet with its 16-bit AU header, or a frame larger than the payload size split over packets that each repeat the
 * header with the whole frame's size. {@link #packetizeMany} puts several small frames in one packet.
 */
public final class AacHbrPacketizer implements Packetizer {
    /** Largest frame the 13-bit AU-size can describe. */
    public static final int MAX_FRAME_LENGTH = (1 << 13) - 1;
    /** AU-headers-length (2 bytes) and one 16-bit AU header. */
    private static final int ONE_HEADER = 4;
    /** AU headers one payload can hold: the 16-bit AU-headers-length counts 16 bits per header. */
    private static final int MAX_HEADERS = 0xFFFF / 16;

    private final int maxPayload;

    public AacHbrPacketizer() {
        this(DEFAULT_MAX_PAYLOAD);
    }

    public AacHbrPacketizer(int maxPayload) {
        this.maxPayload = Packetizer.checkMaxPayload(maxPayload);
    }

    @Override
    public int maxPayload() {
        return maxPayload;
    }

    @Override
    public List<byte[]> packetize(byte[] frame) {
        checkFrame(frame);
        List<byte[]> out = new ArrayList<>(1);
        int chunk = maxPayload - ONE_HEADER;
        int p = 0;
        do {
            int take = Math.min(chunk, frame.length - p);
            byte[] payload = new byte[ONE_HEADER + take];
            payload[1] = 16; // AU-headers-length: 16 bits
            payload[2] = (byte) (frame.length >> 5);
            payload[3] = (byte) (frame.length << 3); // AU-Index 0
            System.arraycopy(frame, p, payload, ONE_HEADER, take);
            out.add(payload);
            p += take;
        } while (p < frame.length);
        return out;
    }

    /**
     * Packs consecutive frames into as few payloads as fit, each payload taking the timestamp of its first frame (the
     * receiver adds one frame duration per frame after it). A frame that does not fit alone goes out fragmented.
     *
     * @return payloads with the number of frames each carries
     */
    public List<Packed> packetizeMany(List<byte[]> frames) {
        List<Packed> out = new ArrayList<>();
        int i = 0;
        while (i < frames.size()) {
            byte[] first = checkFrame(frames.get(i));
            if (ONE_HEADER + first.length > maxPayload) {
                List<byte[]> pieces = packetize(first);
                for (int k = 0; k < pieces.size(); k++) {
                    out.add(new Packed(pieces.get(k), k == 0 ? 1 : 0, k == pieces.size() - 1));
                }
                i++;
                continue;
            }
            int j = i;
            int size = 2;
            while (j < frames.size() && j - i < MAX_HEADERS && size + 2 + checkFrame(frames.get(j)).length <= maxPayload) {
                size += 2 + frames.get(j).length;
                j++;
            }
            byte[] payload = new byte[size];
            int headerBits = 16 * (j - i);
            payload[0] = (byte) (headerBits >> 8);
            payload[1] = (byte) headerBits;
            int h = 2;
            int d = 2 + 2 * (j - i);
            for (int k = i; k < j; k++) {
                byte[] f = frames.get(k);
                payload[h] = (byte) (f.length >> 5);
                payload[h + 1] = (byte) (f.length << 3); // index 0 for the first, delta 0 after it
                System.arraycopy(f, 0, payload, d, f.length);
                h += 2;
                d += f.length;
            }
            out.add(new Packed(payload, j - i, true));
            i = j;
        }
        return out;
    }

    /**
     * A payload, how many frames start in it (0 for the second and later pieces of a split frame) and whether the
     * marker bit goes on it (every payload but the non-final pieces of a split frame).
     */
    public record Packed(byte[] payload, int frames, boolean marker) {
    }

    private static byte[] checkFrame(byte[] frame) {
        if (frame.length == 0 || frame.length > MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("AAC frame of " + frame.length + " bytes");
        }
        return frame;
    }
}
