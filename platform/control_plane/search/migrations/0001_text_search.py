"""Extensions and text search configurations the search records' generated columns and indexes use.

`search_unaccent` wraps `unaccent` as IMMUTABLE (unaccent itself is STABLE: its dictionary could
change), which index expressions require. `search_english` is English stemming after unaccent,
`search_simple` unaccent and lower case only (word prefixes for autocomplete).
"""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE OR REPLACE FUNCTION search_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT unaccent('unaccent'::regdictionary, $1) $$;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'search_english') THEN
        CREATE TEXT SEARCH CONFIGURATION search_english (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION search_english
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'search_simple') THEN
        CREATE TEXT SEARCH CONFIGURATION search_simple (COPY = simple);
        ALTER TEXT SEARCH CONFIGURATION search_simple
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
    END IF;
END
$$;
"""

BACKWARD = """
DROP TEXT SEARCH CONFIGURATION IF EXISTS search_simple;
DROP TEXT SEARCH CONFIGURATION IF EXISTS search_english;
DROP FUNCTION IF EXISTS search_unaccent(text);
"""


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
