// The gateway's GraphiQL page: GraphiQL, React and ReactDOM are loaded from the gateway itself (see
// VENDOR.md), and queries go to the page's own URL. No inline script, so the page's CSP can say
// script-src 'self'.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var authRequired = root.getAttribute("data-auth") === "required";
  var fetchURL = window.location.href.split("?")[0].split("#")[0];
  var fetcher = GraphiQL.createFetcher({ url: fetchURL });
  // Requests need an API key or a token: the headers editor starts open, with the header to fill in.
  // Headers are not persisted (shouldPersistHeaders: false): a key or token is not left in localStorage.
  var defaultHeaders = authRequired
    ? '{\n  "Authorization": "Bearer <API key or token>"\n}'
    : "{}";
  var defaultQuery =
    "# partner-gateway\n" +
    (authRequired
      ? "# Put your API key or token in Headers (below), then run: Ctrl-Enter.\n"
      : "# No API keys are configured: every request is an admin (loopback only).\n") +
    "{\n  customers(first: 5) {\n    totalCount\n    edges { node { id provider name partner { name } } }\n  }\n}\n";
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: defaultHeaders,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: authRequired ? "headers" : true,
      inputValueDeprecation: true,
    }),
  );
})();
