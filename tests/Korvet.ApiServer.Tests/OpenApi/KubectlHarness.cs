using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Codecs;
using Korvet.ApiServer.Patching;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Tests.Support;
using Korvet.Storage.Memory;

namespace Korvet.ApiServer.Tests.OpenApi;

/// <summary>Result of one kubectl run.</summary>
internal sealed record KubectlResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// An in-process API server plus a kubeconfig and a private kubectl cache dir, for running the real bundled
/// kubectl 1.32 against it. Records the fieldValidation each decoded body came with and every PATCH body, so tests
/// can see what kubectl decided from the OpenAPI documents. Owns the server, backend and temp dir.
/// </summary>
internal sealed class KubectlHarness : IAsyncDisposable
{
    private const string Token = "kubectl-test-token";

    private readonly X509Certificate2 _certificate;
    private readonly MemoryBackend _backend;
    private readonly string _dir;

    private KubectlHarness(ApiServer server, MemoryBackend backend, X509Certificate2 certificate, string dir, RecordingDecoder decoder,
        RecordingPatcher patcher)
    {
        Server = server;
        _backend = backend;
        _certificate = certificate;
        _dir = dir;
        Decoder = decoder;
        Patcher = patcher;
    }

    public ApiServer Server { get; }

    public RecordingDecoder Decoder { get; }

    public RecordingPatcher Patcher { get; }

    public string Directory => _dir;

    /// <summary>The bundled kubectl 1.32 next to the kubectl dispatcher on PATH, or null when absent.</summary>
    public static string? FindKubectl()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "kubectl");
            if (!File.Exists(candidate))
            {
                continue;
            }

            string real = File.ResolveLinkTarget(candidate, returnFinalTarget: true)?.FullName ?? candidate;
            string bundled = Path.Combine(Path.GetDirectoryName(real)!, "kubectl.1.32");
            return File.Exists(bundled) ? bundled : null;
        }

        return null;
    }

    public static async Task<KubectlHarness> StartAsync()
    {
        var backend = new MemoryBackend();
        X509Certificate2 cert = TestCertificates.CreateServing();
        var decoder = new RecordingDecoder();
        var patcher = new RecordingPatcher();
        var options = new ApiServerOptions(cert, IPAddress.Loopback, 0, TimeSpan.FromMinutes(1));
        var server = new ApiServer(options, backend, new FixedTokenAuthenticator(Token), new ApiServerExtensions(Patcher: patcher, Decoder: decoder));
        await server.StartAsync(CancellationToken.None);
        await server.Store.CreateAsync(server.Registry.Find("", "v1", "namespaces")!, "",
            new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } }, new WriteOptions(false, "test"), CancellationToken.None);
        string dir = Path.Combine(Path.GetTempPath(), "korvet-kubectl-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "kubeconfig"), $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: korvet
              cluster:
                server: {server.BaseAddress.ToString().TrimEnd('/')}
                insecure-skip-tls-verify: true
            users:
            - name: admin
              user:
                token: {Token}
            contexts:
            - name: korvet
              context:
                cluster: korvet
                user: admin
                namespace: default
            current-context: korvet
            """);
        return new KubectlHarness(server, backend, cert, dir, decoder, patcher);
    }

    public string WriteFile(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public async Task<KubectlResult> RunAsync(string kubectl, params string[] args)
    {
        var start = new ProcessStartInfo(kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir,
        };
        foreach (string arg in new[] { "--kubeconfig", Path.Combine(_dir, "kubeconfig"), "--cache-dir", Path.Combine(_dir, "cache") }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HOME"] = _dir;
        start.Environment.Remove("KUBECONFIG");
        (int exit, string stdout, string stderr) = await ProcessRunner.RunAsync(start);
        return new KubectlResult(exit, stdout, stderr);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await _backend.DisposeAsync();
        _certificate.Dispose();
        try
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: kubectl may still hold a cache file for a moment.
        }
    }

    /// <summary>The built-in JSON decoder, remembering the fieldValidation value of every decoded body.</summary>
    internal sealed class RecordingDecoder : IBodyDecoder
    {
        private readonly BodyDecoder _inner = new(Korvet.Api.Generated.ApiSchemas.Kubernetes);

        public ConcurrentQueue<(string Kind, string FieldValidation)> Seen { get; } = new();

        public IReadOnlyList<string> SupportedTypes => _inner.SupportedTypes;

        public DecodedBody Decode(string mediaType, ReadOnlyMemory<byte> body, ResourceDefinition resource, string fieldValidation)
        {
            Seen.Enqueue((resource.Kind, fieldValidation));
            return _inner.Decode(mediaType, body, resource, fieldValidation);
        }

        public JsonObject DecodeOptions(string mediaType, ReadOnlySpan<byte> body, string kind) => _inner.DecodeOptions(mediaType, body, kind);
    }

    /// <summary>The interim merge-patch applier, remembering every patch (type and body) it is given.</summary>
    internal sealed class RecordingPatcher : IPatchApplier
    {
        private readonly PatchApplier _inner = new(Korvet.Api.Generated.ApiSchemas.Kubernetes);

        public ConcurrentQueue<(string Type, string Body)> Seen { get; } = new();

        public IReadOnlyList<string> SupportedTypes => _inner.SupportedTypes;

        public JsonObject Apply(string patchType, JsonObject current, ReadOnlyMemory<byte> patch, ResourceDefinition resource)
        {
            Seen.Enqueue((patchType, System.Text.Encoding.UTF8.GetString(patch.Span)));
            return _inner.Apply(patchType, current, patch, resource);
        }
    }
}
