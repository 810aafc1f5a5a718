"""Generated applicants: persons (each with an account, as online applicants have) and
organisations, with checksummed resident IDs and USCCs that no subject has yet, stored
as the subjects app stores them (a resident ID sealed, both found by their digest)."""

import datetime as dt
import random
from dataclasses import dataclass

from stdnum.cn import ric

from yimen.perf.loader import Ids, Loader
from yimen.subjects.models import Account, Organisation, Person, Subject
from yimen.subjects.sealing import lookup_digest, seal
from yimen.subjects.validators import uscc_check_char

AREA = "220105"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬鑫宇浩然子轩梓涵一诺欣怡思远博文雨桐佳琪晨曦建国德福淑珍凤英国庆海燕春梅志刚"  # noqa: E501
STREETS = [
    "东盛街道",
    "荣光街道",
    "长青街道",
    "吉林街道",
    "八里堡街道",
    "远达街道",
    "东站街道",
    "英俊镇",
]
ORG_WORDS = ["福来", "宏达", "兴隆", "鑫源", "东盛", "长青", "嘉和", "瑞丰", "安泰", "华信"]
ORG_TRADES = ["餐饮店", "超市", "商贸有限公司", "建筑工程有限公司", "物业服务有限公司",
              "诊所", "培训学校", "酒店", "药店", "农民专业合作社"]  # fmt: skip
BIRTH_FROM = dt.date(1940, 1, 1)
BIRTH_DAYS = 25_000  # to 2008: adults
FIRST_ORG_SERIAL = 3_000_000
# The models whose ids are handed out here.
MODELS = (Subject, Account)


@dataclass
class Applicants:
    persons: list[tuple[int, int]]  # (subject id, account id)
    organisations: list[int]


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))


def _address(rng: random.Random) -> str:
    return f"长春市二道区{rng.choice(STREETS)}{rng.randint(1, 60)}栋{rng.randint(101, 1802)}"


def _resident_ids(count: int, rng: random.Random):
    """Distinct valid resident IDs not yet registered."""
    taken = set(Subject.objects.values_list("code_digest", flat=True))
    while count:
        day, sequence = divmod(rng.randrange(BIRTH_DAYS * 999), 999)
        birth = BIRTH_FROM + dt.timedelta(days=day)
        first17 = f"{AREA}{birth:%Y%m%d}{sequence + 1:03d}"
        code = first17 + ric.calc_check_digit(first17 + "0")
        digest = lookup_digest(code)
        if digest not in taken:
            taken.add(digest)
            count -= 1
            yield seal(code), digest


def _usccs(count: int):
    taken = set(Subject.objects.values_list("code_digest", flat=True))
    serial = FIRST_ORG_SERIAL
    while count:
        serial += 1
        first17 = f"92{AREA}MA{serial:07d}"
        code = first17 + uscc_check_char(first17)
        digest = lookup_digest(code)
        if digest not in taken:
            count -= 1
            yield code, digest


def add_applicants(
    loader: Loader, persons: int, organisations: int, rng: random.Random, now: dt.datetime
) -> Applicants:
    """Rows for `persons` persons with accounts and `organisations` organisations."""
    subjects, accounts = Ids(Subject), Ids(Account)
    subject_rows, account_rows = loader.model_table(Subject), loader.model_table(Account)
    person_rows = loader.table(Person, "subject_ptr_id", "phone", "account_id")
    org_rows = loader.table(Organisation, "subject_ptr_id", "org_type", "legal_representative_id")
    found = Applicants([], [])
    for stored, digest in _resident_ids(persons, rng):
        subject_id, account_id, name = subjects.take(), accounts.take(), _person_name(rng)
        subject_rows.add_values(
            id=subject_id,
            kind="person",
            name=name,
            stored_code=stored,
            code_digest=digest,
            address=_address(rng),
            created_at=now,
            updated_at=now,
        )
        account_rows.add(
            account_id, "!", None, False, f"g{subject_id}", "", "", "", False, True, now, name, None
        )
        person_rows.add(subject_id, "", account_id)
        found.persons.append((subject_id, account_id))
    for code, digest in _usccs(organisations):
        subject_id = subjects.take()
        name = f"长春市二道区{rng.choice(ORG_WORDS)}{rng.choice(ORG_TRADES)}"
        subject_rows.add_values(
            id=subject_id,
            kind="organisation",
            name=name,
            stored_code=code,
            code_digest=digest,
            address=_address(rng),
            created_at=now,
            updated_at=now,
        )
        representative = rng.choice(found.persons)[0]
        org_rows.add(subject_id, "individual_business", representative)
        found.organisations.append(subject_id)
    return found
