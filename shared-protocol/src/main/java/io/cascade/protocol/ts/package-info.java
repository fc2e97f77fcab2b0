/**
 * A pure (JDK-only) MPEG-TS segment writer for HLS, and a reader of transport streams for ingest, written from ISO/IEC
 * 13818-1 (transport stream, PSI, PES), ISO/IEC 14496-3 (ADTS) and the Annex B byte stream format of H.264 / H.265.
 *
 * <p>{@link io.cascade.protocol.ts.TsSegmentWriter#segment} turns the access units of one segment into its bytes. The bytes
 * depend only on the arguments, so every edge node that packages a stream writes the same segments: each segment starts
 * with its own PAT and PMT, its continuity counters start at 0, and the first packet of each PID says so with
 * discontinuity_indicator. Inputs are bounded (sample count, sample size, configuration size, segment size) and anything
 * the writer cannot represent faithfully is refused with an IllegalArgumentException that names it.
 *
 * <p>{@link io.cascade.protocol.ts.TsDemuxer} goes the other way for a live input: packet sync in a byte stream cut
 * anywhere, PAT and PMT, and the PES packets of the streams its listener picks, with every limit a named constant;
 * {@link io.cascade.protocol.ts.frames.TsToFrames} builds frames out of them.
 */
package io.cascade.protocol.ts;
