package io.cascade.protocol.rtp.payload;

import java.util.Objects;

/**
 * One access unit rebuilt from RTP payloads, in the canonical form of {@code io.cascade.media.Codec}: H.264/H.265 NAL
 * units with 4-byte big-endian length prefixes, or one raw AAC frame.
 *
 * @param timestamp     the 32-bit RTP timestamp (unsigned) at the payload format's clock rate
 * @param data          the access unit; owned by the receiver
 * @param keyframe      video only: an IDR (H.264) or IRAP (H.265) picture is in the unit
 * @param discontinuity this is the first unit, or packets were lost or units dropped since the previous one (a video
 *                      decoder should wait for the next keyframe)
 */
public record AccessUnit(long timestamp, byte[] data, boolean keyframe, boolean discontinuity) {
    public AccessUnit {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public String toString() {
        return "AccessUnit{ts=" + timestamp + " bytes=" + data.length + (keyframe ? " key" : "")
                + (discontinuity ? " discontinuity" : "") + '}';
    }
}
