package io.cascade.packaging;

import io.cascade.media.MemoryBudget;
import io.cascade.media.TrackType;

/**
 * A segment in a stream's window with its packaged forms, each built on first request and kept while the segment
 * is listed (within the node's bound for packaged bytes and its memory budget). Thread-safe: HTTP requests come on
 * any event loop.
 */
public final class ListedSegment {
    private final Segment segment;
    private final MemoryBudget.Account packaged;
    private final long maxNodeBytes;
    private byte[] videoCmaf;
    private byte[] audioCmaf;
    private byte[] ts;
    private byte[] encryptedTs;
    private long keptBytes;
    private boolean released;

    ListedSegment(Segment segment, PackageSettings settings) {
        this.segment = segment;
        this.packaged = settings.memory().packaged;
        this.maxNodeBytes = settings.maxNodePackagedBytes();
    }

    public Segment segment() {
        return segment;
    }

    public synchronized byte[] cmaf(TrackType track) {
        boolean video = track == TrackType.VIDEO;
        byte[] kept = video ? videoCmaf : audioCmaf;
        if (kept != null) {
            return kept;
        }
        byte[] built = Packaging.cmafMedia(segment, track);
        if (keep(built)) {
            if (video) {
                videoCmaf = built;
            } else {
                audioCmaf = built;
            }
        }
        return built;
    }

    public synchronized byte[] ts() {
        if (ts == null) {
            byte[] built = Packaging.ts(segment);
            if (!keep(built)) {
                return built;
            }
            ts = built;
        }
        return ts;
    }

    public synchronized byte[] encryptedTs(String stream, SegmentKeys keys) {
        if (encryptedTs == null) {
            byte[] clear = ts();
            byte[] built = clear == null ? null : keys.encrypt(stream, segment.index(), clear);
            if (!keep(built)) {
                return built;
            }
            encryptedTs = built;
        }
        return encryptedTs;
    }

    /** Whether an output may be kept within the node's budget (counted against it if so). */
    private boolean keep(byte[] out) {
        if (out == null || released) {
            return false;
        }
        if (!packaged.tryTake(out.length)) {
            return false; // the node's memory budget is spent: served this once, built again next time
        }
        if (packaged.held() > maxNodeBytes) {
            packaged.give(out.length);
            return false; // over the bound for packaged bytes: the same
        }
        keptBytes += out.length;
        return true;
    }

    /** The segment left the window: its outputs no longer count against the node's bound and budget. */
    synchronized void release() {
        packaged.give(keptBytes);
        keptBytes = 0;
        released = true;
    }
}
