using System.Text.Json;

namespace Korvet.ApiServer.Errors;

/// <summary>Serializes Status objects (failures and the success Status of deletes) exactly in upstream's field order.</summary>
public static class StatusJson
{
    public static byte[] Failure(StatusException error)
    {
        using var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteFailure(writer, error);
        }

        return buffer.ToArray();
    }

    public static void WriteFailure(Utf8JsonWriter writer, StatusException error)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", "Status");
        writer.WriteString("apiVersion", "v1");
        writer.WriteStartObject("metadata");
        writer.WriteEndObject();
        writer.WriteString("status", "Failure");
        writer.WriteString("message", error.Message);
        if (error.Reason.Length > 0)
        {
            writer.WriteString("reason", error.Reason);
        }

        if (error.Details is { } d)
        {
            writer.WriteStartObject("details");
            WriteIfSet(writer, "name", d.Name);
            WriteIfSet(writer, "group", d.Group);
            WriteIfSet(writer, "kind", d.Kind);
            WriteIfSet(writer, "uid", d.Uid);
            if (d.Causes is { Count: > 0 })
            {
                writer.WriteStartArray("causes");
                foreach (StatusCause cause in d.Causes)
                {
                    writer.WriteStartObject();
                    WriteIfSet(writer, "reason", cause.Reason);
                    WriteIfSet(writer, "message", cause.Message);
                    WriteIfSet(writer, "field", cause.Field);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            if (d.RetryAfterSeconds is { } retry)
            {
                writer.WriteNumber("retryAfterSeconds", retry);
            }

            writer.WriteEndObject();
        }

        writer.WriteNumber("code", error.Code);
        writer.WriteEndObject();
    }

    /// <summary>The Status a delete returns when the strategy does not return the deleted object.</summary>
    public static byte[] DeleteSuccess(string name, string group, string plural, string uid)
    {
        using var buffer = new MemoryStream(192);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", "Status");
            writer.WriteString("apiVersion", "v1");
            writer.WriteStartObject("metadata");
            writer.WriteEndObject();
            writer.WriteString("status", "Success");
            writer.WriteStartObject("details");
            writer.WriteString("name", name);
            WriteIfSet(writer, "group", group.Length == 0 ? null : group);
            writer.WriteString("kind", plural);
            WriteIfSet(writer, "uid", uid.Length == 0 ? null : uid);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(name, value);
        }
    }
}
