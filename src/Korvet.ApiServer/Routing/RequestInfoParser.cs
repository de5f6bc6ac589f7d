namespace Korvet.ApiServer.Routing;

/// <summary>
/// Parses a request path, method and query into a <see cref="RequestInfo"/> following upstream's
/// RequestInfoFactory: <c>/api/v1/namespaces/{ns}/{resource}/{name}/{subresource}</c>,
/// <c>/apis/{group}/{version}/...</c>, the legacy <c>/api/v1/watch/...</c> prefix, and <c>?watch=true</c>.
/// Stateless and thread-safe.
/// </summary>
public static class RequestInfoParser
{
    public static RequestInfo Parse(string method, string path, string? watchQuery)
    {
        string[] parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var nonResource = new RequestInfo { Path = path };
        if (parts.Length == 0)
        {
            return nonResource;
        }

        int index;
        string group;
        string version;
        if (parts[0] == "api")
        {
            if (parts.Length < 3)
            {
                return nonResource;
            }

            group = "";
            version = parts[1];
            index = 2;
        }
        else if (parts[0] == "apis")
        {
            if (parts.Length < 4)
            {
                return nonResource;
            }

            group = parts[1];
            version = parts[2];
            index = 3;
        }
        else
        {
            return nonResource;
        }

        bool isWatch = false;
        if (parts[index] == "watch")
        {
            isWatch = true;
            index++;
            if (index >= parts.Length)
            {
                return nonResource;
            }
        }

        string ns = "";
        var rest = new ArraySegment<string>(parts, index, parts.Length - index);
        if (rest[0] == "namespaces" && rest.Count > 1)
        {
            ns = rest[1];
            if (rest.Count > 2 && rest[2] != "status" && rest[2] != "finalize")
            {
                rest = rest.Slice(2);
            }
        }

        string resource = rest[0];
        string name = rest.Count > 1 ? rest[1] : "";
        string subresource = rest.Count > 2 ? rest[2] : "";
        string[] tail = rest.Count > 3 ? rest.Slice(3).ToArray() : [];

        if (!isWatch && (watchQuery == "true" || watchQuery == "1") && method == "GET")
        {
            isWatch = true;
        }

        string verb = method switch
        {
            "GET" or "HEAD" => isWatch ? "watch" : name.Length == 0 ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name.Length == 0 ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };

        return new RequestInfo
        {
            Path = path,
            IsResourceRequest = true,
            Verb = verb,
            Prefix = parts[0],
            Group = group,
            Version = version,
            Namespace = ns,
            Resource = resource,
            Name = name,
            Subresource = subresource,
            Rest = tail,
        };
    }
}
