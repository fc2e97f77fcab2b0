package io.cascade.rtsp;

import io.cascade.media.MediaFrame;

import java.util.List;
import java.util.Map;

/**
 * One RTSP session's file, opened at DESCRIBE: what it describes, and the play position that PLAY, PAUSE and a
 * resuming PLAY move. Runs on the connection's event loop.
 */
public interface RtspVodSession extends AutoCloseable {
    /** The config frames of the file's tracks, as a live stream's DESCRIBE gives them. */
    List<MediaFrame> configs();

    /** The file's length: the description's {@code a=range:npt=0-<duration>}. */
    long durationMillis();

    /**
     * Starts sending (first PLAY), resumes (after PAUSE) or seeks: from {@code fromMillis} of normal play time, or
     * from where it paused when {@code fromMillis} is negative. Packets follow on the connection's tracks, paced at
     * real time, and the tracks end with an RTCP BYE at the end of the file.
     */
    Started play(RtspConnection connection, RtspPlayRequest request, long fromMillis);

    /** Stops sending; the position stays where it is for the next PLAY. */
    void pause();

    /** The session ends: nothing more is sent and the file is let go. */
    @Override
    void close();

    /**
     * Where playing really starts, and for each track set up (frame track number, or 0 for the TS track) the
     * sequence number and RTP timestamp of its first packet from there: the PLAY answer's {@code Range} and
     * {@code RTP-Info}.
     */
    record Started(long startMillis, Map<Integer, RtpStart> tracks) {
    }

    /** One track's {@code RTP-Info}: {@code seq} and {@code rtptime} at the start. */
    record RtpStart(int sequence, long rtpTime) {
    }
}
