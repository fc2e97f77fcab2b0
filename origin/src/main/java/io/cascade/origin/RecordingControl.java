package io.cascade.origin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * What the recording verbs ask of the node that got the call (record, listRecordings, stopRecording): recordings live
 * on that node. The node implements it with its recordings; the API only passes EMS's parameters on.
 */
public interface RecordingControl {
    /** A node that records nothing (no recording service). */
    RecordingControl NONE = new RecordingControl() {
        @Override
        public Future<JsonObject> record(Map<String, String> params) {
            return Future.failedFuture(new IllegalStateException("this node records nothing"));
        }

        @Override
        public JsonArray list() {
            return new JsonArray();
        }

        @Override
        public Future<JsonArray> stop(Long id, String stream) {
            return Future.succeededFuture(new JsonArray());
        }
    };

    /**
     * Starts a recording. Fails with IllegalArgumentException naming a bad parameter (a pathToFile outside the
     * recording folder among them) having created nothing, or IllegalStateException when the node cannot take it (its
     * recording.max, a file another recording writes).
     */
    Future<JsonObject> record(Map<String, String> params);

    /** The node's recordings, active then recently stopped. */
    JsonArray list();

    /** Stops the recording with this id, or every recording of the stream; completes with them once their files are in place. */
    Future<JsonArray> stop(Long id, String stream);
}
