package io.cascade.deploy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** The API calls relay tests make, as an operator would: a verb with its parameters, and the relays' states. */
final class RelayCalls {
    private RelayCalls() {
    }

    /** {@code GET /api/<verb>?params} on the node's API port; the answer with its HTTP status as "httpStatus". */
    static JsonObject call(int api, String verb, String... params) throws Exception {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i + 1 < params.length; i += 2) {
            q.append(q.isEmpty() ? "?" : "&").append(params[i]).append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = Http.getText("http://127.0.0.1:" + api + "/api/" + verb + q);
        return new JsonObject(r.body()).put("httpStatus", r.statusCode());
    }

    /** The status listPullPushConfig shows for the relay. */
    static JsonObject status(int api, String id) throws Exception {
        JsonArray all = call(api, "listPullPushConfig").getJsonArray("data");
        for (int i = 0; i < all.size(); i++) {
            if (all.getJsonObject(i).getString("id").equals(id)) {
                return all.getJsonObject(i).getJsonObject("status");
            }
        }
        throw new AssertionError("no relay " + id + " in " + all);
    }

    /** Removes every relay, so a test's pulls and ports are free for the next. */
    static void removeAll(int api) throws Exception {
        JsonArray all = call(api, "listPullPushConfig").getJsonArray("data");
        for (int i = 0; i < all.size(); i++) {
            call(api, "removePullPushConfig", "id", all.getJsonObject(i).getString("id"));
        }
    }
}
