// TruePPM's GraphiQL page (app/ide/page.py renders the HTML; nothing here comes from a CDN).
// `?q=` (a document) and `?variables=` open a shared document (`?query=` is a GraphQL GET); the headers pane is never read from
// the URL, so a token does not end up in links or logs.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var config = JSON.parse(root.getAttribute("data-config"));
  var http = new URL(config.endpoint, window.location.href);
  var ws = new URL(http.toString());
  ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";
  var search = new URLSearchParams(window.location.search);

  // The headers pane travels with each HTTP request and, for a subscription, as the
  // connection_init payload of a fresh graphql-transport-ws connection.
  var fetcher = GraphiQL.createFetcher({
    url: http.toString(),
    subscriptionUrl: ws.toString(),
  });

  var props = {
    fetcher: fetcher,
    defaultQuery: config.query,
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    inputValueDeprecation: true,
    plugins: [GraphiQLPluginExplorer.explorerPlugin()],
  };
  if (search.has("q")) props.query = search.get("q");
  if (search.has("variables")) props.variables = search.get("variables");

  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
