package io.cascade.protocol.flv;

import io.cascade.media.Codec;

/**
 * A parsed RTMP/FLV video tag body. data = payload[dataOffset, dataOffset+dataLength) (for H.264/H.265 FRAME: NAL units with
 * the NAL length size of the stream's config record, usually 4; for CONFIG: the decoder configuration record).
 *
 * <p>codec is null only for an enhanced RTMP command frame (frame type 5 without FourCC, kind OTHER).
 */
public record FlvVideo(Codec codec, PacketKind kind, boolean keyframe, int compositionTimeMs, int dataOffset, int dataLength) {
}
