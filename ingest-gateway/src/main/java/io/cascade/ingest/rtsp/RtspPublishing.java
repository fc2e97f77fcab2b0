package io.cascade.ingest.rtsp;

import io.cascade.auth.Credentials;
import io.cascade.ingest.Admission;
import io.cascade.ingest.Publication;
import io.cascade.media.MediaFrame;
import io.cascade.rtsp.RtspPublishHandler;
import io.cascade.rtsp.RtspPublishTarget;
import io.cascade.rtsp.RtspRefusal;
import io.cascade.rtsp.RtspServer;
import io.vertx.core.Future;

/**
 * RTSP's side of a publish: an ANNOUNCE asks {@link Admission}; a refusal becomes the status the publisher gets, an
 * admitted publish the {@link Publication} its RTP is turned into frames for.
 */
public final class RtspPublishing implements RtspPublishHandler {
    private final Admission admission;

    public RtspPublishing(Admission admission) {
        this.admission = admission;
    }

    @Override
    public Future<RtspPublishTarget> announce(String name, Credentials credentials, String peer) {
        return admission.admit(new Admission.Attempt(name, credentials, RtspServer.PROTOCOL, peer))
                .<RtspPublishTarget>map(Target::new)
                .recover(failed -> Future.failedFuture(failed instanceof Admission.Refused refused
                        ? new RtspRefusal(status(refused.reason()), refused.getMessage()) : failed));
    }

    /** The status a publisher gets for each refusal. */
    static int status(Admission.Refusal reason) {
        return switch (reason) {
            case BAD_NAME -> 400;
            case NOT_INGEST_POINT -> 404;
            case NAME_IN_USE -> 403; // Forbidden, as RTSP servers answer a second publisher of a live path
            case UNAUTHORISED, PASSWORD_NEEDED -> 401;
            case CLUSTER_UNAVAILABLE, NODE_FULL -> 503;
        };
    }

    private record Target(Publication publication) implements RtspPublishTarget {
        @Override
        public String name() {
            return publication.name();
        }

        @Override
        public void start(String detail, Runnable end) {
            publication.start(detail, end);
        }

        @Override
        public void frame(MediaFrame frame) {
            publication.publish(frame);
        }

        @Override
        public void skipped(boolean damaged, String detail) {
            publication.skipped(damaged ? Publication.Skip.DAMAGED : Publication.Skip.UNSUPPORTED_CODEC, detail);
        }

        @Override
        public void close(long bytesIn) {
            publication.close(bytesIn);
        }
    }
}
