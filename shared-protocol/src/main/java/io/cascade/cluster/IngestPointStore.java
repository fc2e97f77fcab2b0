package io.cascade.cluster;

import io.vertx.core.Future;

import java.util.List;

/**
 * The cluster-wide ingest points: private name to public name, both unique across both sets (a private name is
 * never anyone's public name and the reverse), durable across a restart of the whole cluster. Asynchronous like
 * {@link StreamRegistry}, because the clustered implementation blocks.
 */
public interface IngestPointStore {
    /** At most this many ingest points: bounds the maps, the snapshot file and a list answer (about 30 MB). */
    int MAX_POINTS = 100_000;

    /** The outcome of {@link #create}; anything but {@link #CREATED} leaves the store unchanged. */
    enum CreateResult {
        CREATED("ingest point created"),
        INVALID_NAME("names must be [A-Za-z0-9._-]{1,128}"),
        SAME_NAME("the private and the public name must differ"),
        PRIVATE_NAME_TAKEN("the private name is already an ingest point"),
        PRIVATE_NAME_IS_PUBLIC("the private name is the public name of an ingest point"),
        PUBLIC_NAME_TAKEN("the public name is already the public name of an ingest point"),
        PUBLIC_NAME_IS_PRIVATE("the public name is the private name of an ingest point"),
        LIMIT_REACHED("the cluster holds " + MAX_POINTS + " ingest points, the most it may");

        private final String description;

        CreateResult(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }

        /** True for the outcomes caused by names that are valid but already used. */
        public boolean isConflict() {
            return this == PRIVATE_NAME_TAKEN || this == PRIVATE_NAME_IS_PUBLIC || this == PUBLIC_NAME_TAKEN
                    || this == PUBLIC_NAME_IS_PRIVATE || this == LIMIT_REACHED;
        }
    }

    Future<CreateResult> create(IngestPoint point);

    /** Removes the point with this private name; completes with false when there was none. */
    Future<Boolean> remove(String privateName);

    /** Every point, sorted by public name. */
    Future<List<IngestPoint>> list();

    /** The public name of the point with this private name, or null when it is no ingest point's private name. */
    Future<String> resolve(String privateName);

    /** True when the name is the public name of an ingest point. */
    Future<Boolean> isPublicName(String name);
}
