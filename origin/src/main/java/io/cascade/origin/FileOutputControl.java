package io.cascade.origin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

import java.util.Map;

/**
 * What the API asks of the node's file outputs (createHLSStream, createDASHStream, listConfig, removeConfig). The
 * node that runs the API implements it with its edge side; the API only passes the EMS parameters on.
 */
public interface FileOutputControl {
    /** An API without file outputs (the node has nothing to write them with). */
    FileOutputControl NONE = new FileOutputControl() {
        @Override
        public Future<JsonArray> create(boolean dash, Map<String, String> params) {
            return Future.failedFuture(new IllegalStateException("this node writes no file outputs"));
        }

        @Override
        public JsonArray list() {
            return new JsonArray();
        }

        @Override
        public boolean remove(long id) {
            return false;
        }
    };

    /**
     * Starts writing; fails with IllegalArgumentException (naming the parameter) for bad parameters, a targetFolder
     * that is not a relative folder inside data.dir among them, having created nothing.
     */
    Future<JsonArray> create(boolean dash, Map<String, String> params);

    JsonArray list();

    boolean remove(long id);
}
