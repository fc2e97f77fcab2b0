package io.cascade.protocol.flv;

import io.cascade.media.Codec;

/**
 * A parsed RTMP/FLV audio tag body. codec is AAC for sound format 10 (and enhanced RTMP 'mp4a'), else null (unsupported:
 * the caller drops it). soundFormat is the raw 4-bit FLV value (9 = enhanced RTMP ExHeader).
 * data = payload[dataOffset, dataOffset+dataLength).
 */
public record FlvAudio(Codec codec, int soundFormat, PacketKind kind, int dataOffset, int dataLength) {
}
