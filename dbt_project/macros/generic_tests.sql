{# Generic tests used across models (kept here instead of pulling a package from the internet). #}

{% test non_negative(model, column_name) %}
select * from {{ model }} where {{ column_name }} < 0
{% endtest %}

{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{# Every code of a space-separated list (a product's or a schedule item's antigens) exists in to.field;
   an empty list fails too. #}
{% test codes_exist(model, column_name, to, field) %}
with codes as (
    select {{ column_name }} as codes, unnest(regexp_split_to_array(trim({{ column_name }}), '\s+')) as code
    from {{ model }}
    where {{ column_name }} is not null
)
select * from codes
where code not in (select {{ field }} from {{ to }})
{% endtest %}

{# Nothing is lost on the way from an upstream model: every value of its column is in this one. The
   reverse of relationships, written on the downstream model so no test points to a later layer. #}
{% test holds_every(model, column_name, from_model, field) %}
select {{ field }} from {{ from_model }}
where {{ field }} is not null
    and {{ field }} not in (select {{ column_name }} from {{ model }} where {{ column_name }} is not null)
{% endtest %}
