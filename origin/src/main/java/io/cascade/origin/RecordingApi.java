package io.cascade.origin;

import io.cascade.media.StreamNames;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The recording verbs, with EMS's names and parameters: {@code record localStreamName=.. pathToFile=..
 * type=mp4|ts|flv overwrite=0|1 chunkLength=<seconds>}, {@code listRecordings} and {@code stopRecording id=..} (or
 * {@code localStreamName=..}: every recording of the stream). A recording runs on the node that got the call.
 */
public final class RecordingApi implements ApiRoutes {
    /** The parameters record takes. */
    private static final List<String> RECORD_PARAMETERS = List.of("localStreamName", "pathToFile", "type", "overwrite",
            "chunkLength");

    private final RecordingControl recordings;

    public RecordingApi(RecordingControl recordings) {
        this.recordings = recordings;
    }

    @Override
    public void routes(Router router) {
        router.route("/api/record").method(HttpMethod.GET).method(HttpMethod.POST).handler(this::record);
        router.route("/api/listRecordings").method(HttpMethod.GET).method(HttpMethod.POST).handler(this::list);
        router.route("/api/stopRecording").method(HttpMethod.GET).method(HttpMethod.POST).handler(this::stop);
    }

    private void record(RoutingContext ctx) {
        Map<String, String> params = new HashMap<>();
        for (String name : RECORD_PARAMETERS) {
            String v = ApiServer.param(ctx, name);
            if (v != null) {
                params.put(name, v);
            }
        }
        recordings.record(params).onComplete(started -> {
            if (started.succeeded()) {
                JsonObject r = started.result();
                ctx.json(new JsonObject().put("status", "SUCCESS").put("description", "recording "
                        + r.getString("localStreamName") + " to " + r.getString("pathToFile")).put("data", r));
            } else if (started.cause() instanceof IllegalArgumentException) {
                ApiServer.fail(ctx, 400, started.cause().getMessage());
            } else if (started.cause() instanceof IllegalStateException) {
                ApiServer.fail(ctx, 409, started.cause().getMessage());
            } else {
                ApiServer.fail(ctx, 503, "recording not started: " + started.cause().getMessage());
            }
        });
    }

    private void list(RoutingContext ctx) {
        JsonArray all = recordings.list();
        ctx.json(new JsonObject().put("status", "SUCCESS").put("description", all.size() + " recordings")
                .put("data", all));
    }

    private void stop(RoutingContext ctx) {
        String idText = ApiServer.param(ctx, "id");
        String stream = ApiServer.param(ctx, "localStreamName");
        Long id = null;
        if (idText != null) {
            try {
                id = Long.parseLong(idText);
            } catch (NumberFormatException e) {
                ApiServer.fail(ctx, 400, "id must be a recording's id (listRecordings shows them)");
                return;
            }
        } else if (stream == null || !StreamNames.isValid(stream)) {
            ApiServer.fail(ctx, 400, "id or localStreamName is required");
            return;
        }
        Long chosen = id;
        recordings.stop(id, stream).onComplete(done -> {
            if (done.failed()) {
                ApiServer.fail(ctx, 503, "recordings did not stop: " + done.cause().getMessage());
            } else if (done.result().isEmpty()) {
                ApiServer.fail(ctx, 404, chosen != null ? "no recording " + chosen + " on this node"
                        : "no recording of " + stream + " on this node");
            } else {
                ctx.json(new JsonObject().put("status", "SUCCESS")
                        .put("description", done.result().size() + " recordings stopped").put("data", done.result()));
            }
        });
    }
}
