package io.cascade.ingest.rtmp;

import io.cascade.ingest.Admission;
import io.cascade.ingest.FrameTarget;
import io.cascade.ingest.Publication;
import io.cascade.ingest.PublishRecording;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.frames.RtmpToFrames;
import io.cascade.protocol.rtmp.session.PublishRequest;
import io.cascade.rtmp.RtmpConnection;
import io.cascade.rtmp.RtmpPublishHandler;
import io.cascade.rtmp.RtmpServer;
import io.cascade.rtmp.StreamBinding;

/**
 * RTMP's side of a publish: asks {@link Admission}, answers the publisher with the NetStream status of the
 * outcome, and feeds the publisher's messages through {@link RtmpToFrames} into the {@link Publication}. A publish of
 * type {@code record} or {@code append} is also handed to {@link PublishRecording} for as long as it lasts.
 */
public final class RtmpPublishing implements RtmpPublishHandler {
    private final Admission admission;
    private final PublishRecording recording;

    public RtmpPublishing(Admission admission) {
        this(admission, PublishRecording.NONE);
    }

    public RtmpPublishing(Admission admission, PublishRecording recording) {
        this.admission = admission;
        this.recording = recording;
    }

    @Override
    public void publish(RtmpConnection c, PublishRequest r) {
        admission.admit(new Admission.Attempt(r.name(), c.credentials(r.query()), RtmpServer.PROTOCOL, c.peer()))
                .onComplete(admitted -> {
                    if (admitted.succeeded()) {
                        start(c, r, admitted.result());
                    } else if (!c.isClosed()) {
                        Admission.Refused refused = (Admission.Refused) admitted.cause();
                        c.session().refusePublish(r.streamId(), statusCode(refused.reason()), refused.getMessage());
                        c.close();
                    }
                });
    }

    /** The NetStream status a publisher gets for each refusal (what FMS and common servers answer). */
    static String statusCode(Admission.Refusal reason) {
        return switch (reason) {
            case BAD_NAME, NOT_INGEST_POINT, NAME_IN_USE -> "NetStream.Publish.BadName";
            case UNAUTHORISED, PASSWORD_NEEDED, CLUSTER_UNAVAILABLE, NODE_FULL -> "NetStream.Publish.Denied";
        };
    }

    /** One RTMP media message into the publication, or counted as skipped: a publisher's and a pull's alike. */
    static void feed(RtmpToFrames toFrames, RtmpMessage message, FrameTarget publication) {
        try {
            MediaFrame frame = toFrames.convert(message);
            if (frame != null) {
                publication.publish(frame);
            }
        } catch (RtmpToFrames.SkippedFrameException e) {
            publication.skipped(e.reason() == RtmpToFrames.SkippedFrameException.Reason.DAMAGED
                    ? Publication.Skip.DAMAGED : Publication.Skip.UNSUPPORTED_CODEC, e.getMessage());
        }
    }

    private void start(RtmpConnection c, PublishRequest r, Publication publication) {
        if (c.isClosed()) {
            publication.close(c.bytesIn());
            return;
        }
        c.markPublishing();
        c.session().acceptPublish(r.streamId(), r.name()); // to the publisher: the name it sent
        publication.start("app " + r.app() + ", " + r.type(), () -> c.context().runOnContext(v -> c.close()));
        boolean record = "record".equals(r.type());
        Runnable recorded = record || "append".equals(r.type())
                ? recording.started(publication.name(), !record) : () -> { };
        c.bind(r.streamId(), new Binding(c, publication, recorded));
    }

    private static final class Binding implements StreamBinding {
        private final RtmpConnection connection;
        private final Publication publication;
        private final RtmpToFrames toFrames = new RtmpToFrames();
        /** Told when the publish ends: its recording, if it asked for one, ends with it. */
        private final Runnable recorded;

        Binding(RtmpConnection connection, Publication publication, Runnable recorded) {
            this.connection = connection;
            this.publication = publication;
            this.recorded = recorded;
        }

        @Override
        public void onMedia(RtmpMessage message) {
            feed(toFrames, message, publication);
        }

        @Override
        public void onClosed() {
            publication.close(connection.bytesIn());
            recorded.run();
        }
    }
}
