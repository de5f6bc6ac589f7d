using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Protobuf;
using Korvet.Api.Schema;
using Korvet.Api.Serialization;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Codecs;

/// <summary>
/// Request bodies in JSON, YAML (one document) and protobuf (<c>k8s\0</c> + runtime.Unknown, transcoded to JSON with
/// the schema; the envelope's apiVersion/kind are set on the object). Nulls the protobuf transcoder writes for unset
/// pointers and zero times are dropped, as decoding into Go structs would. JSON and YAML bodies of built-in kinds are
/// checked with <see cref="FieldValidator"/>: unknown fields are always pruned (never stored); under
/// <c>fieldValidation=Strict</c> unknown or duplicate fields fail the request with 400 <c>strict decoding error: ...</c>,
/// under Warn (the server default, as upstream) each becomes a warning, under Ignore they pass silently. Protobuf
/// bodies cannot carry unknown fields. Thread-safe.
/// </summary>
public sealed class BodyDecoder : IBodyDecoder
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 100 };

    private readonly ProtobufCodec _protobuf;
    private readonly ApiSchema _schema;
    private readonly FieldValidator _validator;

    public BodyDecoder(ApiSchema schema)
    {
        _schema = schema;
        _protobuf = new ProtobufCodec(schema);
        _validator = new FieldValidator(schema);
    }

    public IReadOnlyList<string> SupportedTypes { get; } = ["application/json", "application/yaml", ProtobufCodec.MediaType];

    public DecodedBody Decode(string mediaType, ReadOnlyMemory<byte> body, ResourceDefinition resource, string fieldValidation)
    {
        CheckDirective(fieldValidation);
        JsonNode? node;
        var duplicates = new List<string>();
        switch (mediaType)
        {
            case "application/json":
                try
                {
                    node = JsonNode.Parse(body.Span, NodeOptions, DocumentOptions);
                    // JsonObject rejects repeated keys when it is read; Go's decoder keeps the last one.
                    FieldValidator.FindDuplicates(body.Span, duplicates);
                    if (duplicates.Count > 0)
                    {
                        node = FieldValidator.ParseLastWins(body.Span);
                    }
                }
                catch (JsonException e)
                {
                    throw StatusErrors.BadRequest($"Object '{resource.Kind}' is invalid JSON: {e.Message}");
                }

                break;
            case "application/yaml":
                try
                {
                    node = YamlReader.ParseDocument(body.Span);
                }
                catch (ApiCodecException e)
                {
                    throw StatusErrors.BadRequest($"error converting YAML to JSON: {e.Message}");
                }

                break;
            case ProtobufCodec.MediaType:
                node = DecodeProtobuf(body.Span, resource);
                break;
            default:
                throw StatusErrors.UnsupportedMediaType(SupportedTypes);
        }

        if (node is not JsonObject obj)
        {
            throw StatusErrors.BadRequest($"Object '{resource.Kind}' must be a JSON object");
        }

        if (mediaType != "application/json")
        {
            // YAML and protobuf produce CLR-typed numbers (int, long, double); re-reading the JSON text gives the same
            // element-backed values a JSON body has, which convert to any numeric type the strategies ask for.
            obj = (JsonObject)JsonNode.Parse(obj.ToJsonString(), NodeOptions, DocumentOptions)!;
        }

        MessageDescriptor? message = mediaType == ProtobufCodec.MediaType ? null
            : _schema.ResolveMessage(resource.ApiVersion, resource.Kind) is { JsonForm: JsonForm.Object } m ? m : null;
        return new DecodedBody(obj, CheckFields(obj, message, duplicates, resource, fieldValidation));
    }

    /// <summary>Prunes unknown fields of built-in kinds (custom resources are not checked here) and applies the
    /// fieldValidation directive to them and to <paramref name="problems"/> (the duplicates found).</summary>
    private IReadOnlyList<string> CheckFields(JsonObject obj, MessageDescriptor? message, List<string> problems,
        ResourceDefinition resource, string fieldValidation)
    {
        if (fieldValidation == "Ignore")
        {
            if (message is not null)
            {
                _validator.Prune(obj, message, null);
            }

            return [];
        }

        if (message is not null)
        {
            _validator.Prune(obj, message, problems);
        }

        if (problems.Count > 0 && fieldValidation == "Strict")
        {
            throw StrictError(resource, problems);
        }

        return problems;
    }

    public JsonObject DecodeOptions(string mediaType, ReadOnlySpan<byte> body, string kind)
    {
        try
        {
            JsonNode? node = mediaType switch
            {
                "" or "application/json" => JsonNode.Parse(body, NodeOptions, DocumentOptions),
                "application/yaml" => YamlReader.ParseDocument(body),
                ProtobufCodec.MediaType => _protobuf.DecodeEnvelope(body, _schema.FindMessage(ApiSchema.MetaV1Package + "." + kind)).Object,
                _ => throw StatusErrors.UnsupportedMediaType(SupportedTypes),
            };
            return node as JsonObject ?? throw StatusErrors.BadRequest($"error decoding {kind}: the body must be an object");
        }
        catch (Exception e) when (e is JsonException or ApiCodecException)
        {
            throw StatusErrors.BadRequest($"error decoding {kind}: {e.Message}");
        }
    }

    public DecodedPatch CheckPatch(string patchType, byte[] patch, ResourceDefinition resource, string fieldValidation)
    {
        CheckDirective(fieldValidation);
        if (_schema.ResolveMessage(resource.ApiVersion, resource.Kind) is not { JsonForm: JsonForm.Object } message)
        {
            return new DecodedPatch(patch, []);
        }

        switch (patchType)
        {
            case "application/json-patch+json":
                return CheckJsonPatch(patch, message, fieldValidation);
            case "application/apply-patch+yaml":
                CheckApplyConfiguration(patch, message, resource);
                return new DecodedPatch(patch, []);
            case "application/merge-patch+json" or "application/strategic-merge-patch+json":
                break;
            default:
                return new DecodedPatch(patch, []);
        }

        JsonNode? node;
        var problems = new List<string>();
        try
        {
            node = JsonNode.Parse(patch, NodeOptions, DocumentOptions);
            FieldValidator.FindDuplicates(patch, problems);
            if (problems.Count > 0)
            {
                node = FieldValidator.ParseLastWins(patch);
            }
        }
        catch (JsonException)
        {
            // The patcher reports malformed patches in its own words.
            return new DecodedPatch(patch, []);
        }

        if (node is not JsonObject obj)
        {
            return new DecodedPatch(patch, []);
        }

        _validator.PrunePatch(obj, message, problems);
        if (problems.Count == 0)
        {
            return new DecodedPatch(patch, []);
        }

        if (fieldValidation == "Strict")
        {
            throw PatchStrictError(patch, problems);
        }

        return new DecodedPatch(Encoding.UTF8.GetBytes(obj.ToJsonString()), fieldValidation == "Ignore" ? [] : problems);
    }

    /// <summary>
    /// JSON patch: the unknown fields the operations would add (see <see cref="FieldValidator.PruneJsonPatch"/>) and
    /// duplicate keys. Strict rejects them (<see cref="PatchStrictError"/>); Warn warns and Ignore passes, both with
    /// the unknown fields removed.
    /// </summary>
    private DecodedPatch CheckJsonPatch(byte[] patch, MessageDescriptor message, string fieldValidation)
    {
        JsonNode? node;
        var problems = new List<string>();
        try
        {
            node = JsonNode.Parse(patch, NodeOptions, DocumentOptions);
            FieldValidator.FindDuplicates(patch, problems);
            for (int i = 0; i < problems.Count; i++)
            {
                problems[i] = "json patch " + problems[i];
            }

            if (problems.Count > 0)
            {
                node = FieldValidator.ParseLastWins(patch);
            }
        }
        catch (JsonException)
        {
            return new DecodedPatch(patch, []);
        }

        if (node is not JsonArray ops)
        {
            return new DecodedPatch(patch, []);
        }

        _validator.PruneJsonPatch(ops, message, problems);
        if (problems.Count == 0)
        {
            return new DecodedPatch(patch, []);
        }

        if (fieldValidation == "Strict")
        {
            throw PatchStrictError(patch, problems);
        }

        return new DecodedPatch(Encoding.UTF8.GetBytes(ops.ToJsonString()), fieldValidation == "Ignore" ? [] : problems);
    }

    /// <summary>
    /// Server-side apply bodies are converted to typed values upstream before anything else, whatever the
    /// fieldValidation directive: a field the schema does not declare fails the request with
    /// <c>failed to create typed patch object (ns/name; group/version, Kind=K): .spec.x: field not declared in
    /// schema</c>. Upstream answers 500 there (kubernetes#122480, a fix to 400 is pending); Korvet answers 400.
    /// </summary>
    private void CheckApplyConfiguration(byte[] patch, MessageDescriptor message, ResourceDefinition resource)
    {
        JsonNode? node;
        try
        {
            node = YamlReader.ParseDocument(patch);
        }
        catch (ApiCodecException)
        {
            return; // The apply path reports malformed YAML in its own words.
        }

        if (node is not JsonObject obj)
        {
            return;
        }

        var problems = new List<string>();
        _validator.Prune(obj, message, problems);
        if (problems.Count == 0)
        {
            return;
        }

        // "unknown field \"spec.x\"" → ".spec.x: field not declared in schema"
        List<string> errors = problems.Select(p => "." + p["unknown field \"".Length..^1] + ": field not declared in schema").ToList();
        string ns = obj["metadata"]?["namespace"]?.GetValueKind() == JsonValueKind.String ? obj["metadata"]!["namespace"]!.GetValue<string>() : "";
        string name = obj["metadata"]?["name"]?.GetValueKind() == JsonValueKind.String ? obj["metadata"]!["name"]!.GetValue<string>() : "";
        string gvk = $"{resource.Group}/{resource.Version}, Kind={resource.Kind}";
        string text = errors.Count == 1 ? errors[0] : "errors:\n  " + string.Join("\n  ", errors);
        throw StatusErrors.BadRequest($"failed to create typed patch object ({ns}/{name}; {gvk}): {text}");
    }

    /// <summary>
    /// Unknown or duplicate fields in a JSON, merge or strategic merge patch under Strict: upstream's patcher answers
    /// 422 Invalid on field <c>patch</c> (apiserver handlers/patch.go), not the 400 of a create or update body. Its
    /// value there is the patched object (JSON and merge patches) or the patch map; Korvet quotes the patch itself.
    /// </summary>
    private static StatusException PatchStrictError(byte[] patch, List<string> problems)
    {
        string detail = "strict decoding error: " + string.Join(", ", problems);
        string value = GoQuote(Encoding.UTF8.GetString(patch));
        string cause = $"Invalid value: {value}: {detail}";
        return new StatusException(422, "Invalid", $" \"\" is invalid: patch: {cause}",
            new StatusDetails(null, null, null, [new StatusCause("FieldValueInvalid", cause, "patch")]));
    }

    /// <summary>A string quoted as Go's %q would for printable text: JSON escapes without HTML-safe escaping.</summary>
    private static string GoQuote(string text)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(text.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStringValue(text);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void CheckDirective(string fieldValidation)
    {
        if (fieldValidation is not ("" or "Strict" or "Warn" or "Ignore"))
        {
            throw StatusErrors.BadRequest(
                $"fieldValidation: Unsupported value: \"{fieldValidation}\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
        }
    }

    // Upstream wraps decode errors: "Deployment in version \"v1\" cannot be handled as a Deployment: ...".
    private static StatusException StrictError(ResourceDefinition resource, List<string> problems) =>
        StatusErrors.BadRequest($"{resource.Kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: "
            + "strict decoding error: " + string.Join(", ", problems));

    private JsonObject DecodeProtobuf(ReadOnlySpan<byte> body, ResourceDefinition resource)
    {
        ProtobufEnvelope envelope;
        try
        {
            envelope = _protobuf.DecodeEnvelope(body);
        }
        catch (ApiCodecException e)
        {
            throw StatusErrors.BadRequest($"error decoding {resource.Kind} from protobuf: {e.Message}");
        }

        JsonObject obj = envelope.Object;
        DropNulls(obj);
        var ordered = new JsonObject { ["kind"] = envelope.Kind, ["apiVersion"] = envelope.ApiVersion };
        foreach (string key in obj.Select(p => p.Key).ToList())
        {
            if (key is not ("kind" or "apiVersion"))
            {
                JsonNode? value = obj[key];
                obj.Remove(key);
                ordered[key] = value;
            }
        }

        return ordered;
    }

    private static void DropNulls(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            foreach (string key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                obj.Remove(key);
            }

            foreach ((_, JsonNode? child) in obj)
            {
                DropNulls(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (JsonNode? child in array)
            {
                DropNulls(child);
            }
        }
    }
}
