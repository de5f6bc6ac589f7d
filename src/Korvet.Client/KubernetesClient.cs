using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Korvet.Api;
using Korvet.Api.Discovery;
using Korvet.Api.Meta.V1;
using Korvet.Api.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Korvet.Client;

/// <summary>
/// A client of one API server over HTTPS: one pooled <see cref="SocketsHttpHandler"/> that trusts only the configured
/// CA and sends the bearer token, JSON through the source-generated API contexts. Thread-safe; share one per process
/// (or per component) and dispose it last.
/// </summary>
public sealed class KubernetesClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly X509Certificate2Collection? _trusted;
    private readonly ConcurrentDictionary<Type, object> _resources = new();

    public KubernetesClient(ClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        Options = options;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        if (options.CaPem is not null)
        {
            _trusted = [];
            _trusted.ImportFromPem(options.CaPem);
        }

        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),

            // Like client-go: HTTP/2, so a component's many watches share a few TLS connections instead of one each
            // (one per 100 streams, Kestrel's default stream limit).
            EnableMultipleHttp2Connections = true,
            AutomaticDecompression = DecompressionMethods.None,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ValidateServer },
        };
        if (options.ClientCertificatePem is not null && options.ClientKeyPem is not null)
        {
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPem(options.ClientCertificatePem, options.ClientKeyPem)];
        }

        // Watches last minutes: the per-request limit is applied by RequestAsync, not by HttpClient.
        _http = new HttpClient(handler) { BaseAddress = options.Server, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (options.BearerToken is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.BearerToken);
        }
    }

    public ClientOptions Options { get; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Decodes this client's responses (strings shared through one pool per client).</summary>
    internal ClientCodec Codec { get; } = new(new StringPool(1 << 15));

    /// <summary>The typed client of a built-in kind (one instance per type, cached).</summary>
    public ResourceClient<T> Resource<T>()
        where T : class, IKubernetesObject =>
        (ResourceClient<T>)_resources.GetOrAdd(typeof(T), _ => new ResourceClient<T>(this, BuiltinKinds.Get<T>()));

    public void Dispose() => _http.Dispose();

    /// <summary>Sends a request and returns the body; an error status becomes <see cref="ApiException"/>.</summary>
    internal async Task<byte[]> RequestAsync(HttpMethod method, string pathAndQuery, HttpContent? content, CancellationToken ct,
        string? accept = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.EffectiveRequestTimeout);
        using var request = new HttpRequestMessage(method, pathAndQuery) { Content = content, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        byte[] body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Error(response.StatusCode, body);
        }

        return body;
    }

    /// <summary>Opens a streaming response (a watch); the caller disposes it.</summary>
    internal async Task<HttpResponseMessage> OpenStreamAsync(string pathAndQuery, CancellationToken ct, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                byte[] body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                throw Error(response.StatusCode, body);
            }
        }

        return response;
    }

    internal static ApiException Error(HttpStatusCode code, byte[] body)
    {
        Status? status = null;
        try
        {
            status = body.Length > 0 ? ApiJson.Deserialize<Status>(body) : null;
        }
        catch (ApiCodecException)
        {
            // Not a Status (a proxy's HTML page, say): report the code with the start of the body.
        }

        return status?.Kind == "Status"
            ? new ApiException(code, status)
            : new ApiException(code, null, $"the server answered {(int)code}: {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200)))}");
    }

    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (Options.InsecureSkipTlsVerify)
        {
            return true;
        }

        if (certificate is not X509Certificate2 cert || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        if (_trusted is null)
        {
            return errors == SslPolicyErrors.None;
        }

        // Trust exactly the configured CA(s), not the system roots.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }

        return custom.Build(cert);
    }
}
