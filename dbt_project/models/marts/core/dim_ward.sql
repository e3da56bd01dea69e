-- Ward versions with validity dates, as built in int_wards (where the intermediate models read it).
select * from {{ ref('int_wards') }}
